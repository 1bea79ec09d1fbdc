claude mcp add --transport stdio --scope user kubeshark -- deno run -A --v8-flags=--max-semi-space-size=4,--heap-growing-percent=50 jsr:@kubeshark/kubeshark-mcp@<version> --demo
