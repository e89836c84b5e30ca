import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { BatchIdParamDto, SubmitQueryDto, TaskIdParamDto } from '../agent/http/dto/task-query.dto';
import { TaskRequestDto } from '../agent/http/dto/task-request.dto';
import { FastParseDto, createValidationPipe } from './validation.pipe';

/** What a pipe made of the input: the instance (class and own fields) or the error's problems. */
async function outcome(
  pipe: ReturnType<typeof createValidationPipe>,
  value: unknown,
  metadata: ArgumentMetadata,
): Promise<unknown> {
  try {
    const out = (await pipe.transform(value, metadata)) as object;
    return { ok: true, class: out?.constructor?.name, fields: { ...out } };
  } catch (e) {
    const err = e as { code?: string; details?: unknown };
    return { ok: false, code: err.code, details: err.details };
  }
}

const ID_CHARS = 'abcXYZ019._:-/ %é\u0000'.split('');
const idLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 0, maxLength: 130 }),
  fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 127, maxLength: 130 }),
  fc.anything(),
);

function objects(key: string, values: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.record({ [key]: values }),
    fc.record({ [key]: values, other: fc.anything() }),
    fc.dictionary(fc.string(), fc.anything()),
    fc.constant({}),
    fc.anything(),
    values.map((v) => Object.assign(Object.create(null) as object, { [key]: v })),
  );
}

describe('validation fast paths (FastParseDto)', () => {
  const fast = createValidationPipe();
  const full = createValidationPipe({ fastPaths: false });
  const cases: {
    dto: ArgumentMetadata['metatype'];
    type: 'param' | 'query' | 'body';
    input: fc.Arbitrary<unknown>;
  }[] = [
    { dto: TaskIdParamDto, type: 'param', input: objects('id', idLike) },
    { dto: BatchIdParamDto, type: 'param', input: objects('batch_id', idLike) },
    {
      dto: SubmitQueryDto,
      type: 'query',
      input: objects(
        'wait',
        fc.oneof(fc.constantFrom('true', 'false', 'TRUE', '1', '', true), fc.anything()),
      ),
    },
  ];

  const taskText = fc.oneof(
    fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '\t', '\uFE0F', '\uFE0E', '😀', '\u00a0', 'é'),
    }),
    fc.string({
      unit: fc.constantFrom('a', '😀', ' ', '\uFE0F'),
      minLength: 19_990,
      maxLength: 20_010,
    }),
    fc.string(),
    fc.anything(),
  );
  const metadata = fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.constantFrom(null, [], 'x', 1),
    fc.integer({ min: 16_360, max: 16_400 }).map((n) => ({ pad: 'x'.repeat(n - 10) })),
    fc.anything(),
  );
  const commonRequests = fc.record(
    {
      task: fc.string({ unit: fc.constantFrom('a', ' ', '😀', '\uFE0F', 'é'), maxLength: 40 }),
      task_id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
      priority: fc.constantFrom('low', 'normal', 'high', 'critical'),
      metadata: fc.dictionary(
        fc.oneof(fc.string(), fc.constantFrom('constructor', 'valueOf', 'toString', 'a')),
        fc.jsonValue(),
        { maxKeys: 4 },
      ),
    },
    { requiredKeys: ['task'] },
  );
  const taskRequests = fc.oneof(
    commonRequests,
    fc.record(
      {
        task: taskText,
        task_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,130}$/), fc.anything()),
        priority: fc.oneof(
          fc.constantFrom('low', 'normal', 'high', 'critical', 'urgent', ''),
          fc.anything(),
        ),
        metadata,
        context: fc.oneof(fc.constant({}), fc.record({ tools: fc.array(fc.string()) })),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    fc.anything(),
  );
  cases.push({ dto: TaskRequestDto, type: 'body', input: taskRequests });

  for (const { dto, type, input } of cases) {
    it(`${dto!.name}: the fast path answers exactly as class-validator does`, async () => {
      const metadata: ArgumentMetadata = { type, metatype: dto };
      const fastParse = jest.spyOn(dto as unknown as FastParseDto, 'fastParse');
      try {
        await fc.assert(
          fc.asyncProperty(input, async (value) => {
            expect(await outcome(fast, value, metadata)).toEqual(
              await outcome(full, value, metadata),
            );
          }),
          { numRuns: 500 },
        );
        // The property means something only if both paths were taken often.
        const taken = fastParse.mock.results.filter((r) => r.value !== undefined).length;
        expect(taken).toBeGreaterThan(25);
        expect(fastParse.mock.results.length - taken).toBeGreaterThan(25);
      } finally {
        fastParse.mockRestore();
      }
    });
  }

  it('takes the fast path for well-formed input and the full one for the rest', async () => {
    const param: ArgumentMetadata = { type: 'param', metatype: TaskIdParamDto };
    const ok = await fast.transform({ id: 'task-1' }, param);
    expect(ok).toBeInstanceOf(TaskIdParamDto);
    expect(ok).toEqual({ id: 'task-1' });
    const fastParse = jest.spyOn(TaskIdParamDto, 'fastParse');
    await expect(fast.transform({ id: '../etc' }, param)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: [{ field: 'id', message: 'id must be 1..128 of [A-Za-z0-9._:-]' }],
    });
    expect(fastParse).toHaveReturnedWith(undefined);
    fastParse.mockRestore();
    const query: ArgumentMetadata = { type: 'query', metatype: SubmitQueryDto };
    expect(await fast.transform({ wait: 'false' }, query)).toEqual({ wait: false });
    await expect(fast.transform({ wait: 'no' }, query)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
