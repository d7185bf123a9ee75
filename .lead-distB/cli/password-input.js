"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.readPasswordFromStdin = readPasswordFromStdin;
const cli_error_1 = require("./cli-error");
function readPasswordFromStdin(stdin = process.stdin, prompt = process.stderr) {
    return stdin.isTTY ? readHiddenLine(stdin, prompt) : readAll(stdin);
}
async function readAll(stdin) {
    const chunks = [];
    for await (const chunk of stdin) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    }
    return Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
}
function readHiddenLine(stdin, out) {
    return new Promise((resolve, reject) => {
        let value = '';
        const finish = (error) => {
            stdin.removeListener('data', onData);
            stdin.setRawMode(false);
            stdin.pause();
            out.write('\n');
            if (error)
                reject(error);
            else
                resolve(value);
        };
        const onData = (chunk) => {
            for (const char of chunk) {
                if (char === '\r' || char === '\n' || char === '\u0004')
                    return finish();
                if (char === '\u0003')
                    return finish(new cli_error_1.CliError('cancelled'));
                if (char === '\u007f' || char === '\b')
                    value = Array.from(value).slice(0, -1).join('');
                else
                    value += char;
            }
        };
        out.write('Password: ');
        stdin.setEncoding('utf8');
        stdin.setRawMode(true);
        stdin.on('data', onData);
        stdin.resume();
    });
}
//# sourceMappingURL=password-input.js.map