/** JSON adapter: values, positions in errors (never content), limits, and keys that could reach a prototype. */
import t from 'tap';
import { DEFAULT_JSON_LIMITS, parseJson } from '../../src/adapters/json/index.ts';

t.test('parses JSON, strips a BOM', async (t) => {
  t.same(parseJson('\ufeff{"a":[1,{"b":"ë"}]}'), { a: [1, { b: 'ë' }] });
  t.equal(parseJson('"x"'), 'x');
});

t.test('errors name line and column, never the text', async (t) => {
  const secret = '999990378';
  const e = t.throws(() => parseJson(`{\n  "bsn": "${secret}",\n  "naam": }`)) as any;
  t.equal(e.code, 'SPB_ERR_JSON_MALFORMED');
  t.equal(e.httpStatus, 400);
  t.match(e.message, /line 3 column 11: not valid JSON/);
  t.notMatch(e.message, new RegExp(secret));
  t.throws(() => parseJson(''), { code: 'SPB_ERR_JSON_MALFORMED', message: /line 1 column 1/ });
  t.throws(() => parseJson('{"a":1}x'), { code: 'SPB_ERR_JSON_MALFORMED' });
});

t.test('member names that could reach a prototype are refused with their pointer', async (t) => {
  t.throws(() => parseJson('{"a":{"__proto__":{"x":1}}}'), { code: 'SPB_ERR_JSON_MALFORMED', message: /\/a\/__proto__: this member name is not accepted/ });
  t.throws(() => parseJson('[{"constructor":{"prototype":1}}]'), { message: /\/0\/constructor/ });
  t.same(parseJson('{"proto":1}'), { proto: 1 }, 'other names are fine');
});

t.test('limits: bytes, depth, nodes', async (t) => {
  t.throws(() => parseJson('[1,2,3]', { inputBytes: 3 }), {
    code: 'SPB_ERR_JSON_LIMIT',
    httpStatus: 413,
    message: /JSON size at document exceeds the limit of 3 bytes/,
  });
  t.throws(() => parseJson(`${'['.repeat(65)}${']'.repeat(65)}`), { code: 'SPB_ERR_JSON_LIMIT', message: /depth/ });
  t.ok(parseJson(`${'['.repeat(DEFAULT_JSON_LIMITS.depth)}${']'.repeat(DEFAULT_JSON_LIMITS.depth)}`), 'up to the depth limit is fine');
  t.throws(() => parseJson(JSON.stringify(Array.from({ length: 11 }, (_, i) => i)), { nodes: 10 }), {
    code: 'SPB_ERR_JSON_LIMIT',
    message: /nodes at \/ exceeds the limit of 10/,
  });
  t.throws(() => parseJson('[]', { depth: 0 }), { code: 'SPB_ERR_CONFIG_INVALID' }, 'a limit cannot be switched off');
});
