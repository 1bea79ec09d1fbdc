claude mcp add --transport stdio --scope user kubeshark -- deno run -A jsr:@kubeshark/kubeshark-mcp@<version> --demo
