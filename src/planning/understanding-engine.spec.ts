import { InvalidRequestError } from '../common/errors';
import { ChatRequest, ChatResponse, LanguageModel, ModelError } from '../model/language-model';
import { PromptTemplate } from './prompt-template';
import { UnderstandingEngine } from './understanding-engine';

/** A LanguageModel double that answers from a script and records every request. */
class ScriptedModel implements LanguageModel {
  readonly provider = 'scripted';
  readonly model = 'script-1';
  readonly offline = false;
  readonly requests: ChatRequest[] = [];

  constructor(private readonly answers: Array<string | null | Error>) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(request);
    const next = this.answers.shift();
    if (next instanceof Error) throw next;
    if (next === undefined) throw new Error('no scripted answer left');
    return {
      message: { role: 'assistant', content: next },
      finish_reason: 'stop',
      usage: { prompt: 100, completion: 20, total: 120 },
      latency_ms: 7,
      attempts: 1,
      provider: this.provider,
      model: this.model,
    };
  }
}

const GOOD = JSON.stringify({
  understanding: 'Summarize README.md',
  approach: 'Read it, then summarize',
  complexity: 'Simple',
  estimated_steps: 2,
  requirements: ['read_file README.md'],
});

describe('UnderstandingEngine', () => {
  it('asks for a JSON plan with purpose "plan" and returns it with the inferred scenario', async () => {
    const model = new ScriptedModel([GOOD]);
    const sut = new UnderstandingEngine(model);
    const plan = await sut.understandTask('Read README.md and summarize its content');
    expect(plan).toEqual({
      understanding: 'Summarize README.md',
      approach: 'Read it, then summarize',
      complexity: 'simple',
      estimated_steps: 2,
      requirements: ['read_file README.md'],
      scenario: 'file_operations',
    });
    expect(model.requests).toHaveLength(1);
    const [request] = model.requests;
    expect(request.purpose).toBe('plan');
    expect(request.response_format).toBe('json');
    expect(request.tools).toBeUndefined();
    expect(request.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request.messages[0].content).toContain('# Task type: File operations');
    expect(request.messages[1].content).toBe(
      '<task>\nRead README.md and summarize its content\n</task>',
    );
  });

  it('reports every call it made (usage, latency) and how the plan came about', async () => {
    const model = new ScriptedModel(['no plan here', GOOD]);
    const outcome = await new UnderstandingEngine(model).understandTaskDetailed('Hello');
    expect(outcome.source).toBe('model_retry');
    expect(outcome.calls).toHaveLength(2);
    expect(outcome.calls.reduce((n, c) => n + c.usage.total, 0)).toBe(240);
    expect(outcome.scenario).toEqual({ scenario: null, confidence: 0, forced: false, scores: {} });
    expect(outcome.plan.scenario).toBeNull();
  });

  it('re-asks once with the bad answer and a correction, then uses the second answer', async () => {
    const model = new ScriptedModel(['Sure, I can help with that!', GOOD]);
    const plan = await new UnderstandingEngine(model).understandTask('Summarize README.md');
    expect(plan.understanding).toBe('Summarize README.md');
    const retry = model.requests[1];
    expect(retry.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry.messages[2].content).toBe('Sure, I can help with that!');
    expect(retry.messages[3].content).toContain('could not be read as the plan');
    expect(retry.purpose).toBe('plan');
  });

  it.each([
    ['prose twice', ['I will do it.', 'Done soon.']],
    ['null content twice (tool calls)', [null, null]],
    ['broken JSON twice', ['{"understanding": ', '{{{']],
    ['empty answers', ['', '   ']],
  ])('falls back to a minimal plan from the task after %s', async (_label, answers) => {
    const model = new ScriptedModel(answers);
    const outcome = await new UnderstandingEngine(model).understandTaskDetailed(
      'Fix the bug where   login\tfails',
    );
    expect(model.requests).toHaveLength(2);
    expect(outcome.source).toBe('fallback');
    expect(outcome.plan).toEqual({
      understanding: 'Fix the bug where login fails',
      approach: expect.stringContaining('available tools'),
      complexity: 'simple',
      estimated_steps: 2,
      requirements: [],
      scenario: 'debugging',
    });
  });

  it('fills what the model left out and bounds estimated_steps', async () => {
    const engine = (answer: string, max?: number) =>
      new UnderstandingEngine(new ScriptedModel([answer]), {
        maxEstimatedSteps: max,
      }).understandTask('x');
    expect(
      await engine('{"understanding": "u", "approach": "a", "estimated_steps": 500}', 10),
    ).toMatchObject({
      estimated_steps: 10,
      complexity: 'complex',
    });
    expect(
      await engine('{"understanding": "u", "approach": "a", "estimated_steps": -3}'),
    ).toMatchObject({
      estimated_steps: 1,
      complexity: 'simple',
    });
    expect(
      await engine('{"understanding": "u", "approach": "a", "complexity": "HARD"}'),
    ).toMatchObject({
      complexity: 'complex',
      estimated_steps: 10,
      requirements: [],
    });
    expect(await engine('{"approach": "only an approach"}')).toMatchObject({
      understanding: 'x',
      complexity: 'moderate',
      estimated_steps: 5,
    });
    expect(
      await engine('{"understanding": "u", "approach": "a", "estimated_steps": 1e400}'),
    ).toMatchObject({
      estimated_steps: 5,
    });
  });

  it('uses the forced scenario, and refuses one the template does not have', async () => {
    const model = new ScriptedModel([GOOD]);
    const plan = await new UnderstandingEngine(model).understandTask('Fix the login bug', {
      scenario: 'Documentation',
    });
    expect(plan.scenario).toBe('documentation');
    expect(model.requests[0].messages[0].content).toContain('# Task type: Documentation');
    await expect(
      new UnderstandingEngine(new ScriptedModel([GOOD])).understandTask('x', {
        scenario: 'astrology',
      }),
    ).rejects.toThrow(InvalidRequestError);
  });

  it('plans with a custom template (withTemplate) and its own scenarios', async () => {
    const template = PromptTemplate.builtIn().merge(
      PromptTemplate.parse(
        `
global:
  system_role: You are the migration bot.
scenarios:
  migration:
    name: Migration
    instructions: [Never edit an applied migration]
    keywords: [migrate]
`,
        'custom.yaml',
      ),
    );
    const model = new ScriptedModel([GOOD]);
    const plan = await UnderstandingEngine.withTemplate(model, template).understandTask(
      'Migrate the users table',
    );
    expect(plan.scenario).toBe('migration');
    const system = model.requests[0].messages[0].content!;
    expect(system).toContain('You are the migration bot.');
    expect(system).toContain('1. Never edit an applied migration');
  });

  it('asks for text, not JSON, when the template wants the seed line format', async () => {
    const template = PromptTemplate.parse(
      'global:\n  output_format:\n    format_type: structured_text\n',
      't',
    );
    const model = new ScriptedModel(['UNDERSTANDING: u\nAPPROACH: a\nCOMPLEXITY: Complex']);
    const plan = await UnderstandingEngine.withTemplate(model, template).understandTask('x');
    expect(model.requests[0].response_format).toBe('text');
    expect(plan).toMatchObject({
      understanding: 'u',
      approach: 'a',
      complexity: 'complex',
      estimated_steps: 10,
    });
  });

  it('passes the abort signal and token settings to the model', async () => {
    const model = new ScriptedModel([GOOD]);
    const controller = new AbortController();
    await new UnderstandingEngine(model, { max_tokens: 500, temperature: 0 }).understandTask('x', {
      signal: controller.signal,
    });
    expect(model.requests[0].signal).toBe(controller.signal);
    expect(model.requests[0].max_tokens).toBe(500);
    expect(model.requests[0].temperature).toBe(0);
  });

  it('lets model errors through (network, HTTP 401, abort) - the task fails with MODEL_ERROR', async () => {
    const error = new ModelError('MODEL_ERROR', 'openai answered HTTP 401: bad key', {
      status: 401,
    });
    await expect(
      new UnderstandingEngine(new ScriptedModel([error])).understandTask('x'),
    ).rejects.toBe(error);
    const second = new ModelError('MODEL_ERROR', 'timeout');
    await expect(
      new UnderstandingEngine(new ScriptedModel(['prose', second])).understandTask('x'),
    ).rejects.toBe(second);
  });

  it('does not re-ask once the task was aborted', async () => {
    const controller = new AbortController();
    const model = new ScriptedModel(['prose']);
    const original = model.chat.bind(model);
    model.chat = async (request) => {
      const response = await original(request);
      controller.abort();
      return response;
    };
    await expect(
      new UnderstandingEngine(model).understandTask('x', { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'ModelError', details: { aborted: true } });
    expect(model.requests).toHaveLength(1);
  });

  it('survives a model that returns a malformed response object', async () => {
    const model: LanguageModel = {
      provider: 'odd',
      model: 'odd',
      offline: false,
      chat: async () => ({}) as ChatResponse,
    };
    const outcome = await new UnderstandingEngine(model).understandTaskDetailed('List all files');
    expect(outcome.source).toBe('fallback');
    expect(outcome.plan.scenario).toBe('file_operations');
  });
});
