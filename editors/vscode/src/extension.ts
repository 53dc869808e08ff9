// The rein extension: starts `rein lsp` and hands it Terraform, CloudFormation and IAM policy
// JSON documents. All analysis happens in the server; this file only starts and configures it.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The rule settings the server reads, from the `rein.*` configuration. */
function ruleSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("rein");
  return {
    config: config.get<string>("config", ""),
    select: config.get<string[]>("select", []),
    ignore: config.get<string[]>("ignore", []),
    preview: config.get<boolean>("preview", false),
    profile: config.get<string>("profile", "default"),
  };
}

function createClient(): LanguageClient {
  const command = vscode.workspace.getConfiguration("rein").get<string>("path", "rein") || "rein";
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    // The server decides from the content which JSON and YAML files it checks (policies and
    // CloudFormation templates) and publishes nothing for the others.
    documentSelector: [
      { scheme: "file", language: "terraform" },
      { scheme: "file", pattern: "**/*.tf" },
      { scheme: "file", language: "json" },
      { scheme: "file", language: "yaml" },
    ],
    initializationOptions: ruleSettings(),
    synchronize: {
      // Sent as `workspace/didChangeConfiguration` with the `rein` section.
      configurationSection: "rein",
      // No `fileEvents`: the server registers its own file watchers (Terraform files, the
      // templates they read, CloudFormation templates, rein.toml) when it starts.
    },
  };
  return new LanguageClient("rein", "rein", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createClient();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // A new binary needs a new server; rule settings reach the running one by themselves.
      if (event.affectsConfiguration("rein.path") && client) {
        await client.stop();
        client = createClient();
        await client.start();
      }
    }),
    vscode.commands.registerCommand("rein.restartServer", async () => {
      if (client) {
        await client.restart();
      }
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
