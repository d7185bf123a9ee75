/** Whole seconds since the epoch, as JWT `iat`/`exp` carry them. */
export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export const addSeconds = (date: Date, seconds: number) =>
  new Date(date.getTime() + seconds * 1000);

export const earliest = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);
