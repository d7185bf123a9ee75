// The "bare JWT check" of scenario (h): a NestJS + Fastify app guarded the way the NestJS
// samples and most boilerplates do it (passport-jwt, a string secret, no session lookup), so
// (h) can show what the session check costs on top of verifying the signature. One guarded
// route GET /api/me answering the token's claims, one unguarded GET /api/public.
// Run as: node scripts/bench/bare-jwt-server.js <port> (JWT_ACCESS_SECRET in the environment).
require('reflect-metadata');
const { Controller, Get, Injectable, Module, Req, UseGuards } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { AuthGuard, PassportModule, PassportStrategy } = require('@nestjs/passport');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { ExtractJwt, Strategy } = require('passport-jwt');

class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: process.env.JWT_ACCESS_SECRET,
      algorithms: ['HS256'],
      issuer: 'nest-auth-service',
      audience: 'nest-auth-service',
    });
  }
  validate(payload) {
    return { id: payload.sub, sessionId: payload.sid };
  }
}
Injectable()(JwtStrategy);

class AppController {
  me(request) {
    return request.user;
  }
  open() {
    return { ok: true };
  }
}
const proto = AppController.prototype;
const method = (name) => Object.getOwnPropertyDescriptor(proto, name);
Req()(proto, 'me', 0);
UseGuards(AuthGuard('jwt'))(proto, 'me', method('me'));
Get('me')(proto, 'me', method('me'));
Get('public')(proto, 'open', method('open'));
Controller('api')(AppController);

class AppModule {}
Module({ imports: [PassportModule], controllers: [AppController], providers: [JwtStrategy] })(
  AppModule,
);

async function main() {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.argv[2]), '127.0.0.1');
  process.send?.('ready');
}
main();
