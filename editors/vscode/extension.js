// Starts `moment lsp` for the YAML and Markdown files of a moments repository.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("moment").get("path") || "moment";
  const serverOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", pattern: "**/moments/*/**/*.{yaml,md}" },
      { scheme: "file", pattern: "**/units.yaml" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{moments/**,units.yaml}"),
    },
  };
  client = new LanguageClient("moment", "moment", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
