import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CANARY_TEXT,
  createExecutionHarness,
  ExecutionHarness,
  SECRET_VALUE,
} from './support/execution-harness';

/**
 * A hard link already inside the workspace (planted by an earlier command, an archive or a
 * checkout) is a second name of a file outside. The file tools check paths, and a hard link is
 * not a path trick, so they look at the file: one with several names is read only when every
 * name is inside the task's folders.
 */
describe('hard links to files outside the workspace', () => {
  let h: ExecutionHarness;

  beforeAll(async () => {
    h = await createExecutionHarness({ serviceInWorkspace: false });
    linkSync(join(h.outside, 'canary.txt'), join(h.workspace, 'innocent.txt'));
    mkdirSync(join(h.workspace, 'deep', 'er'), { recursive: true });
    linkSync(join(h.outside, 'dir', 'inner.txt'), join(h.workspace, 'deep', 'er', 'notes.md'));
    linkSync(h.secrets.configFile, join(h.workspace, 'settings.toml'));
    writeFileSync(join(h.workspace, 'shared.txt'), 'both names are inside\n');
    linkSync(join(h.workspace, 'shared.txt'), join(h.workspace, 'deep', 'shared-too.txt'));
  });
  afterAll(() => h.close());

  it.each([
    ['a hard link to a file outside', 'innocent.txt'],
    ['a hard link deep in a folder', 'deep/er/notes.md'],
    ["a hard link to the service's config file", 'settings.toml'],
  ])('read_file refuses %s and leaks nothing', async (_name, path) => {
    const out = await h.call('read_file', { path });
    expect(out.status).toBe('denied');
    expect(out.output).toContain('hard links');
    expect(JSON.stringify(out)).not.toContain(CANARY_TEXT);
    expect(JSON.stringify(out)).not.toContain(SECRET_VALUE);
  });

  it('edit_file refuses it too (its error messages would tell what the file holds)', async () => {
    const out = await h.call('edit_file', {
      path: 'innocent.txt',
      old_text: 'canary',
      new_text: 'x',
    });
    expect(out.status).toBe('denied');
    expect(readFileSync(join(h.outside, 'canary.txt'), 'utf8')).toBe(CANARY_TEXT);
  });

  it('search_files skips such files, says so, and finds nothing in them', async () => {
    for (const args of [
      { pattern: 'canary|api_key' },
      { pattern: 'canary', path: 'innocent.txt' },
      { pattern: 'canary', path: 'deep' },
    ]) {
      const out = await h.call('search_files', args);
      expect(out.status).toBe('ok');
      expect(out.output).toMatch(/^No matches/);
      expect(out.output).toContain('hard-linked');
      expect(JSON.stringify(out)).not.toContain(CANARY_TEXT);
      expect(JSON.stringify(out)).not.toContain(SECRET_VALUE);
    }
  });

  it('reads and searches a hard-linked file whose names are all inside the workspace', async () => {
    expect(await h.call('read_file', { path: 'deep/shared-too.txt' })).toMatchObject({
      status: 'ok',
      output: 'both names are inside',
    });
    const found = await h.call('search_files', { pattern: 'both names' });
    expect(found.output).toContain('shared.txt:1: both names are inside');
    expect(found.output).toContain('shared-too.txt:1: both names are inside');
  });

  it('narrowed allowed_paths count: a second name outside the narrowed folder is outside', async () => {
    const out = await h.call(
      'read_file',
      { path: 'deep/shared-too.txt' },
      { allowedPaths: ['deep'] },
    );
    expect(out.status).toBe('denied');
  });
});
