import { Test } from '@nestjs/testing';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '../common/errors';
import { AppConfigModule } from '../config/app-config.module';
import { AppConfigService } from '../config/app-config.service';
import { builtInTemplatePath } from './package-root';
import { PlanningModule } from './planning.module';
import { MAX_PROJECT_NOTES_BYTES, PromptService } from './prompt.service';

describe('PromptService', () => {
  let root: string;
  let work: string;
  let outside: string;
  let customFile: string;
  let sut: PromptService;
  let config: AppConfigService;

  const writeProject = (text: string, dir = work) => {
    mkdirSync(join(dir, '.agent-runner'), { recursive: true });
    writeFileSync(join(dir, '.agent-runner', 'prompts.yaml'), text);
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-service-'));
    work = join(root, 'work');
    outside = join(root, 'outside');
    mkdirSync(work);
    mkdirSync(outside);
    customFile = join(root, 'custom.yaml');
    writeFileSync(
      customFile,
      'global:\n  system_role: Custom role.\n  constraints: [Custom constraint]\nscenarios:\n  migration:\n    name: Migration\n    keywords: [migrate]\n',
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot({
          env: {},
          dotenv: false,
          overrides: { prompts: { template: customFile } },
        }),
        PlanningModule,
      ],
    }).compile();
    sut = moduleRef.get(PromptService);
    config = moduleRef.get(AppConfigService);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('layers the built-in template under the configured one', () => {
    const t = sut.resolveTemplate();
    expect(t.sources).toEqual([builtInTemplatePath(), customFile]);
    expect(t.global.system_role).toBe('Custom role.');
    expect(t.global.constraints).toContain('Custom constraint');
    expect(t.global.constraints).toContain(
      'Read a file before you change it, and change only what the task asks for.',
    );
    expect(sut.knownScenarios(t)).toEqual(
      expect.arrayContaining(['code_generation', 'command_execution', 'migration']),
    );
  });

  it('lays the project file and AGENTS.md of the working directory on top', () => {
    writeProject('global:\n  system_role: Project role.\nproject:\n  tech_stack: [Go]\n');
    writeFileSync(join(work, 'AGENTS.md'), '# Notes\nUse make test.');
    const t = sut.resolveTemplate(work);
    expect(t.global.system_role).toBe('Project role.');
    expect(t.global.constraints).toContain('Custom constraint');
    expect(t.project!.tech_stack).toEqual(['Go']);
    expect(t.projectDocuments).toEqual([
      { source: join(work, 'AGENTS.md'), content: '# Notes\nUse make test.', truncated: false },
    ]);
    const [system] = sut.buildAgentMessages('Build it', t, null, null, ['run_command']);
    expect(system.content).toContain('Project role.');
    expect(system.content).toContain('Tech stack: Go');
    expect(system.content).toContain('Use make test.');
  });

  it('re-reads files that change, keeps the same template while nothing changes', () => {
    const first = sut.resolveTemplate(work);
    expect(sut.resolveTemplate(work)).toBe(first);
    writeFileSync(customFile, 'global:\n  system_role: Edited role, longer than before.\n');
    writeProject('project:\n  context: Added later.\n');
    const second = sut.resolveTemplate(work);
    expect(second).not.toBe(first);
    expect(second.global.system_role).toBe('Edited role, longer than before.');
    expect(second.project!.context).toBe('Added later.');
    unlinkSync(join(work, '.agent-runner', 'prompts.yaml'));
    expect(sut.resolveTemplate(work).project).toBeUndefined();
  });

  it('reads prompts.template and prompts.project_file at call time (live config updates)', () => {
    writeFileSync(join(work, 'team-prompts.yaml'), 'project:\n  context: Team file.\n');
    config.update({ prompts: { template: '', project_file: 'team-prompts.yaml' } });
    const t = sut.resolveTemplate(work);
    expect(t.global.system_role).not.toBe('Custom role.');
    expect(t.project!.context).toBe('Team file.');
  });

  it('skips a broken layer with a warning instead of failing the task', () => {
    writeProject('global:\n  system_role: [oops\n');
    const t = sut.resolveTemplate(work);
    expect(t.global.system_role).toBe('Custom role.');
    expect(t.warnings).toEqual([
      expect.objectContaining({
        source: join(work, '.agent-runner', 'prompts.yaml'),
        message: expect.stringMatching(/not valid YAML/),
      }),
    ]);
  });

  it('keeps unknown-key warnings of the layers on the merged template', () => {
    writeProject('projekt:\n  context: typo\n');
    expect(sut.resolveTemplate(work).warnings.map((w) => w.path)).toEqual(['projekt']);
  });

  it('warns when the configured template is missing, and goes on with the built-in one', () => {
    config.update({ prompts: { template: join(root, 'nope.yaml') } });
    const t = sut.resolveTemplate();
    expect(t.sources).toEqual([builtInTemplatePath()]);
    expect(t.warnings[0].message).toMatch(/not found/);
  });

  describe('untrusted files in the working directory', () => {
    it('ignores AGENTS.md that is a symlink to a file outside the working directory', () => {
      writeFileSync(join(outside, 'secrets.env'), 'API_KEY=sk-do-not-leak');
      symlinkSync(join(outside, 'secrets.env'), join(work, 'AGENTS.md'));
      const t = sut.resolveTemplate(work);
      expect(t.projectDocuments).toEqual([]);
      expect(JSON.stringify(sut.buildAgentMessages('x', t, null, null, []))).not.toContain(
        'sk-do-not-leak',
      );
      expect(t.warnings[0].message).toMatch(/outside the working directory/);
    });

    it('ignores a project file whose folder is a symlink out of the working directory', () => {
      writeProject('global:\n  system_role: Evil role.\n', outside);
      symlinkSync(join(outside, '.agent-runner'), join(work, '.agent-runner'));
      expect(sut.resolveTemplate(work).global.system_role).toBe('Custom role.');
    });

    it('follows symlinks that stay inside the working directory', () => {
      writeFileSync(join(work, 'notes.md'), 'Inside notes.');
      symlinkSync(join(work, 'notes.md'), join(work, 'AGENTS.md'));
      expect(sut.resolveTemplate(work).projectDocuments[0].content).toBe('Inside notes.');
    });

    it('ignores a project_file setting that climbs out of the working directory', () => {
      writeProject('global:\n  system_role: Evil role.\n', outside);
      config.update({ prompts: { project_file: '../outside/.agent-runner/prompts.yaml' } });
      expect(sut.resolveTemplate(work).global.system_role).toBe('Custom role.');
    });

    it('does not block on a FIFO named AGENTS.md', () => {
      execFileSync('mkfifo', [join(work, 'AGENTS.md')]);
      const t = sut.resolveTemplate(work);
      expect(t.projectDocuments).toEqual([]);
      expect(t.warnings[0].message).toMatch(/not a regular file/);
    });

    it('cuts a huge AGENTS.md and says so', () => {
      writeFileSync(join(work, 'AGENTS.md'), 'x'.repeat(MAX_PROJECT_NOTES_BYTES * 3));
      const [doc] = sut.resolveTemplate(work).projectDocuments;
      expect(doc.content).toHaveLength(MAX_PROJECT_NOTES_BYTES);
      expect(doc.truncated).toBe(true);
    });

    it('ignores a project template larger than its limit', () => {
      writeProject(`project:\n  context: "${'y'.repeat(300 * 1024)}"\n`);
      const t = sut.resolveTemplate(work);
      expect(t.project).toBeUndefined();
      expect(t.warnings[0].message).toMatch(/larger than/);
    });
  });

  describe('inferScenario', () => {
    it('infers from the task, with the scenarios of the given template', () => {
      expect(sut.inferScenario('Write unit tests for the parser')).toMatchObject({
        scenario: 'testing',
        forced: false,
      });
      expect(sut.inferScenario('Migrate the orders table').scenario).toBe('migration');
    });

    it('takes a forced scenario the template knows, and refuses one it does not (400)', () => {
      expect(sut.inferScenario('anything', 'migration')).toEqual({
        scenario: 'migration',
        confidence: 1,
        forced: true,
        scores: {},
      });
      expect(() => sut.inferScenario('anything', 'astrology')).toThrow(InvalidRequestError);
      try {
        sut.inferScenario('anything', 'astrology');
      } catch (e) {
        expect((e as InvalidRequestError).statusCode).toBe(400);
        expect((e as InvalidRequestError).message).toContain('documentation');
      }
    });

    it("knows a project's own scenarios in its working directory only", () => {
      writeProject('scenarios:\n  release:\n    name: Release\n    keywords: [release notes]\n');
      const t = sut.resolveTemplate(work);
      expect(sut.inferScenario('Draft the release notes', undefined, t).scenario).toBe('release');
      expect(sut.inferScenario('x', 'release', t).forced).toBe(true);
      expect(() => sut.inferScenario('x', 'release')).toThrow(InvalidRequestError);
    });
  });
});
