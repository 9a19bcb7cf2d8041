/**
 * Faultline's own table of per-installation settings, in the operator's ClickHouse (or
 * embedded chDB). Every read and write is keyed by one installation id, and each password is
 * sealed with that id as associated data: a row copied to another installation does not open.
 */
import { UsageError } from "../../errors.ts";
import type { ClickHouseConnection } from "../../telemetry/types.ts";
import type {
  InstallationSettings,
  InstallationSettingsView,
  ServiceMapping,
  ValidSettingsInput,
} from "./installation-settings.ts";
import type { SecretBox } from "./secret-box.ts";

export const SETTINGS_TABLE = "faultline_installation_settings";

interface SettingsRow {
  installation_id: string | number;
  url: string;
  database: string;
  username: string;
  password_sealed: string;
  traces_table: string;
  logs_table: string;
  service_mappings: string;
  updated_at: string;
  updated_by: string;
}

export interface InstallationSettingsStore {
  /** Creates the table when missing; idempotent. */
  init(): Promise<void>;
  /** The installation's settings with the password opened, or null when it has none. */
  get(installationId: number): Promise<InstallationSettings | null>;
  /** The same without the password, for the page. */
  view(installationId: number): Promise<InstallationSettingsView | null>;
  /** Saves a new version; `password: null` keeps the stored one. */
  save(installationId: number, input: ValidSettingsInput, actor: string): Promise<void>;
  /** Forgets an installation's settings (it uninstalled the app). */
  remove(installationId: number): Promise<void>;
  /** Re-seals passwords sealed with FAULTLINE_SECRET_KEY_PREVIOUS; returns how many. */
  rotate(): Promise<number>;
}

export interface SettingsStoreOptions {
  /** Database of Faultline's settings table in the operator's ClickHouse. Default `default`. */
  database?: string;
}

const passwordContext = (installationId: number): string =>
  `installation:${installationId}:clickhouse-password`;

function assertInstallationId(installationId: number): void {
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new Error(`not an installation id: ${installationId}`);
  }
}

/**
 * @example
 * const store = createSettingsStore(connection, secretBoxFromEnv());
 * await store.init();
 * const settings = await store.get(42);
 */
export function createSettingsStore(
  connection: ClickHouseConnection,
  box: SecretBox,
  options: SettingsStoreOptions = {},
): InstallationSettingsStore {
  const database = options.database ?? "default";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new UsageError(
      `"${database}" is not a valid ClickHouse database name for Faultline's settings: use letters, digits and underscores.`,
    );
  }
  // Qualified: a connection shared with other work may have another current database.
  const table = `${database}.${SETTINGS_TABLE}`;
  const latestRow = async (installationId: number): Promise<SettingsRow | null> => {
    assertInstallationId(installationId);
    const rows = await connection.query<SettingsRow>(
      `SELECT * FROM ${table} WHERE installation_id = {id:UInt64}
       ORDER BY updated_at DESC LIMIT 1`,
      { id: installationId },
    );
    return rows[0] ?? null;
  };

  const toSettings = (row: SettingsRow, installationId: number): InstallationSettings => ({
    installationId,
    url: row.url,
    database: row.database,
    username: row.username,
    password: row.password_sealed
      ? box.open(row.password_sealed, passwordContext(installationId))
      : "",
    tracesTable: row.traces_table,
    logsTable: row.logs_table,
    serviceMappings: JSON.parse(row.service_mappings) as ServiceMapping[],
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  });

  const insert = async (
    installationId: number,
    settings: Omit<InstallationSettings, "installationId" | "updatedAt">,
  ): Promise<void> => {
    await connection.insert(table, [
      {
        installation_id: installationId,
        url: settings.url,
        database: settings.database,
        username: settings.username,
        password_sealed: settings.password
          ? box.seal(settings.password, passwordContext(installationId))
          : "",
        traces_table: settings.tracesTable,
        logs_table: settings.logsTable,
        service_mappings: JSON.stringify(settings.serviceMappings),
        // Millisecond precision orders versions; the insert order breaks no ties we rely on.
        updated_at: new Date().toISOString().replace("T", " ").replace("Z", ""),
        updated_by: settings.updatedBy,
      },
    ]);
  };

  return {
    async init() {
      await connection.command(
        `CREATE TABLE IF NOT EXISTS ${table} (
          installation_id UInt64,
          url String,
          database String,
          username String,
          password_sealed String,
          traces_table String,
          logs_table String,
          service_mappings String,
          updated_at DateTime64(3, 'UTC'),
          updated_by String
        ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY installation_id`,
      );
    },
    async get(installationId) {
      const row = await latestRow(installationId);
      return row ? toSettings(row, installationId) : null;
    },
    async view(installationId) {
      const row = await latestRow(installationId);
      if (!row) return null;
      const { password: _never, ...rest } = toSettings(
        { ...row, password_sealed: "" },
        installationId,
      );
      return { ...rest, hasPassword: row.password_sealed !== "" };
    },
    async save(installationId, input, actor) {
      assertInstallationId(installationId);
      const previous = input.password === null ? await this.get(installationId) : null;
      await insert(installationId, {
        ...input,
        password: input.password ?? previous?.password ?? "",
        updatedBy: actor,
      });
    },
    async remove(installationId) {
      assertInstallationId(installationId);
      await connection.command(`ALTER TABLE ${table} DELETE WHERE installation_id = {id:UInt64}`, {
        id: installationId,
      });
    },
    async rotate() {
      const rows = await connection.query<SettingsRow>(
        `SELECT * FROM ${table} ORDER BY installation_id, updated_at DESC
         LIMIT 1 BY installation_id`,
      );
      let rotated = 0;
      for (const row of rows) {
        if (!row.password_sealed || !box.needsRotation(row.password_sealed)) continue;
        const installationId = Number(row.installation_id);
        const settings = toSettings(row, installationId);
        await insert(installationId, settings);
        rotated += 1;
      }
      return rotated;
    },
  };
}
