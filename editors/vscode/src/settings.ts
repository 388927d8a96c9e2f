// VS Code settings -> the server's configuration. The server reads the same
// schema as perforch.toml (`models`, `search`, `retry`, `pipeline`, `tests`);
// `perforch.path` and `perforch.trace.server` belong to the client only.
// No `vscode` import, so this runs (and is tested) under plain node.

import { SECTION } from './protocol';

/** Top-level keys under `perforch.` that the server never sees. */
export const CLIENT_ONLY_KEYS: readonly string[] = ['path', 'trace'];

/** A JSON object as the server deserializes it into its `Config`. */
export type ServerConfig = Record<string, unknown>;

/**
 * The server's top-level keys, read off the contributed settings
 * (`contributes.configuration.properties` of package.json), so a new setting
 * reaches the server without touching this code.
 */
export function serverSettingKeys(contributedProperties: Record<string, unknown>): string[] {
  const keys = new Set<string>();
  const prefix = `${SECTION}.`;
  for (const name of Object.keys(contributedProperties)) {
    if (!name.startsWith(prefix)) {
      continue;
    }
    const key = name.slice(prefix.length).split('.')[0];
    if (!CLIENT_ONLY_KEYS.includes(key)) {
      keys.add(key);
    }
  }
  return [...keys];
}

/** What `WorkspaceConfiguration.inspect` returns, narrowed to what matters here. */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * Did the user set this anywhere? Only such settings are sent: a setting left
 * at its default must not override the same field in perforch.toml.
 */
export function isUserSet(inspected: InspectedSetting | undefined): boolean {
  return (
    inspected !== undefined &&
    (inspected.globalValue !== undefined ||
      inspected.workspaceValue !== undefined ||
      inspected.workspaceFolderValue !== undefined)
  );
}

/**
 * The configuration object for the server from the settings the user set
 * (`key` without the `perforch.` prefix -> value). Client-only keys and
 * nulls are dropped: the server treats a missing field as "use the default",
 * and VS Code writes null for a cleared setting.
 */
export function toServerConfig(values: Record<string, unknown>): ServerConfig {
  const config: ServerConfig = {};
  for (const [key, value] of Object.entries(values)) {
    if (CLIENT_ONLY_KEYS.includes(key) || value === undefined || value === null) {
      continue;
    }
    config[key] = withoutNulls(value);
  }
  return config;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((item) => item !== null && item !== undefined).map(withoutNulls);
  }
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (field !== null && field !== undefined) {
        result[key] = withoutNulls(field);
      }
    }
    return result;
  }
  return value;
}

export type ConfigurationAnswer = { ours: true; value: unknown } | { ours: false };

/**
 * The answer to one item of a `workspace/configuration` request. `perforch`
 * is the server's whole configuration, `perforch.pipeline` (or deeper) a
 * part of it, no section the settings tree `{ perforch: ... }`. Any other
 * section is not ours and goes to VS Code's default handling.
 */
export function configurationAnswer(section: string | null | undefined, config: ServerConfig): ConfigurationAnswer {
  if (section === undefined || section === null || section === '') {
    return { ours: true, value: { [SECTION]: config } };
  }
  if (section === SECTION) {
    return { ours: true, value: config };
  }
  if (!section.startsWith(`${SECTION}.`)) {
    return { ours: false };
  }
  let value: unknown = config;
  for (const part of section.slice(SECTION.length + 1).split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ours: true, value: null };
    }
    value = (value as Record<string, unknown>)[part];
  }
  return { ours: true, value: value === undefined ? null : value };
}

/** `workspace/didChangeConfiguration` settings, keyed by section as servers expect. */
export function didChangeConfigurationSettings(config: ServerConfig): Record<string, ServerConfig> {
  return { [SECTION]: config };
}

export type SettingsReaction = 'restart' | 'notify' | 'none';

/**
 * What a settings change means for the running server: a new binary needs a
 * restart; server settings are pushed; trace changes are handled by the
 * language client itself.
 */
export function reactionToChange(affects: (section: string) => boolean, serverKeys: readonly string[]): SettingsReaction {
  if (affects(`${SECTION}.path`)) {
    return 'restart';
  }
  if (serverKeys.some((key) => affects(`${SECTION}.${key}`))) {
    return 'notify';
  }
  return 'none';
}
