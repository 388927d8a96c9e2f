import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  configurationAnswer,
  didChangeConfigurationSettings,
  isUserSet,
  reactionToChange,
  serverSettingKeys,
  toServerConfig,
} from '../src/settings';

// The real manifest: the keys the extension sends come from it.
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, unknown> = manifest.contributes.configuration.properties;

describe('serverSettingKeys', () => {
  it('are the server config keys of package.json, without path and trace', () => {
    assert.deepEqual(serverSettingKeys(properties).sort(), ['hints', 'models', 'pipeline', 'retry', 'search', 'tests']);
  });

  it('take the first segment of dotted settings and ignore other sections', () => {
    const keys = serverSettingKeys({ 'perforch.pipeline.top_k': {}, 'perforch.trace.server': {}, 'editor.fontSize': {} });
    assert.deepEqual(keys, ['pipeline']);
  });
});

describe('toServerConfig', () => {
  it('passes set values through under the server field names', () => {
    const models = [{ name: 'local', provider: 'openai', model: 'qwen2.5-coder:7b', base_url: 'http://localhost:11434/v1' }];
    const config = toServerConfig({ models, pipeline: { top_k: 2, mode: 'best-of-n' } });
    assert.deepEqual(config, { models, pipeline: { top_k: 2, mode: 'best-of-n' } });
  });

  it('drops client-only settings and nulls, which mean "use the default"', () => {
    const config = toServerConfig({
      path: '/usr/bin/perforch',
      trace: { server: 'verbose' },
      search: null,
      retry: undefined,
      pipeline: { inputs_model: null, top_k: 3 },
      models: [{ name: 'a', provider: 'builtin', temperature: null }, null],
    });
    assert.deepEqual(config, { pipeline: { top_k: 3 }, models: [{ name: 'a', provider: 'builtin' }] });
  });

  it('keeps false, 0 and empty arrays, which are real choices', () => {
    const config = toServerConfig({ tests: { discover: false, suites: [] }, pipeline: { max_cost_usd: 0 } });
    assert.deepEqual(config, { tests: { discover: false, suites: [] }, pipeline: { max_cost_usd: 0 } });
  });
});

describe('isUserSet', () => {
  it('is true only for values from user, workspace or folder settings', () => {
    assert.equal(isUserSet(undefined), false);
    assert.equal(isUserSet({}), false);
    assert.equal(isUserSet({ globalValue: [] }), true);
    assert.equal(isUserSet({ workspaceValue: { top_k: 1 } }), true);
    assert.equal(isUserSet({ workspaceFolderValue: false }), true);
  });
});

describe('configurationAnswer', () => {
  const config = { pipeline: { top_k: 2 }, models: [{ name: 'a', provider: 'builtin' }] };

  it('answers the perforch section with the server config', () => {
    assert.deepEqual(configurationAnswer('perforch', config), { ours: true, value: config });
  });

  it('answers sub-sections, with null for fields not set', () => {
    assert.deepEqual(configurationAnswer('perforch.pipeline', config), { ours: true, value: { top_k: 2 } });
    assert.deepEqual(configurationAnswer('perforch.pipeline.top_k', config), { ours: true, value: 2 });
    assert.deepEqual(configurationAnswer('perforch.retry', config), { ours: true, value: null });
    assert.deepEqual(configurationAnswer('perforch.models.name', config), { ours: true, value: null });
  });

  it('answers no section with the whole tree, and leaves other sections alone', () => {
    assert.deepEqual(configurationAnswer(undefined, config), { ours: true, value: { perforch: config } });
    assert.deepEqual(configurationAnswer('editor', config), { ours: false });
    assert.deepEqual(configurationAnswer('perforchx', config), { ours: false });
  });

  it('never leaks the client-only settings', () => {
    const sent = toServerConfig({ path: '/opt/perforch', pipeline: { top_k: 1 } });
    assert.deepEqual(configurationAnswer('perforch.path', sent), { ours: true, value: null });
  });
});

describe('settings changes', () => {
  const keys = serverSettingKeys(properties);
  const affecting = (...changed: string[]) => (section: string) =>
    changed.some((name) => name === section || name.startsWith(`${section}.`));

  it('restart the server when perforch.path changes', () => {
    assert.equal(reactionToChange(affecting('perforch.path', 'perforch.pipeline'), keys), 'restart');
  });

  it('push server settings, and ignore trace and other sections', () => {
    assert.equal(reactionToChange(affecting('perforch.pipeline.top_k'), keys), 'notify');
    assert.equal(reactionToChange(affecting('perforch.models'), keys), 'notify');
    assert.equal(reactionToChange(affecting('perforch.trace.server'), keys), 'none');
    assert.equal(reactionToChange(affecting('editor.fontSize'), keys), 'none');
  });

  it('send didChangeConfiguration settings keyed by section', () => {
    assert.deepEqual(didChangeConfigurationSettings({ retry: { max_attempts: 1 } }), { perforch: { retry: { max_attempts: 1 } } });
  });
});
