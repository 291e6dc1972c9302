// Starts `racepolicy lsp` for .policy files: the server does the work, this file only connects VS Code to it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("racepolicy.server");
  const [command, ...args] = settings.get("command", ["racepolicy", "lsp"]);
  const env = { ...process.env, ...settings.get("env", {}) };
  const server = { command, args, options: { env } };
  client = new LanguageClient(
    "racepolicy",
    "racepolicy",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "racepolicy" }, { scheme: "untitled", language: "racepolicy" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
