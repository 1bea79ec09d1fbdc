claude mcp add --transport stdio --scope user kubeshark -- deno run -A --v8-flags=--max-semi-space-size=4 jsr:@kubeshark/kubeshark-mcp@<version> --demo
