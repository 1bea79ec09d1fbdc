claude mcp add --transport stdio --scope user kubeshark -- deno run -A jsr:@kubeshark/kubeshark-mcp@<version> --kubeconfig /home/me/.kube/prod --context prod --namespace kubeshark
