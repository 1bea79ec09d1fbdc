claude mcp add --transport stdio --scope user --env 'KUBESHARK_HUB_TOKEN=<your Kubeshark Hub token>' kubeshark -- /usr/local/bin/kubeshark-mcp --url https://ks.example.com
