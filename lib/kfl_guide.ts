/** The KFL2 guide served as the resource kubeshark://docs/kfl2: our own concise reference. */
export const KFL_GUIDE = `# KFL2 — filtering Kubeshark traffic

KFL2 is the filter language of list_api_calls, get_api_stats (argument \`kfl\`) and Kubeshark's
dashboard. A filter is a CEL expression that must be true for an entry to match. An empty filter
matches everything. It selects among captured entries; it does not change what is captured.

## Shape of a good filter
Start with a protocol flag, then narrow:
\`\`\`
http && status_code >= 500 && dst.pod.namespace == "payments"
\`\`\`

## Operators and functions
- compare \`== != < <= > >=\`; combine \`&& || !\` (short-circuit); group with \`( )\`
- \`x in [a, b]\` and \`"key" in map\`; \`value in list\`
- strings: \`.contains("s")\`, \`.startsWith("s")\`, \`.endsWith("s")\`, \`.matches("regex")\` (RE2),
  \`size(s)\`
- lists: \`size(l)\`, \`l.exists(x, x.contains("y"))\`, \`l.all(x, …)\`
- maps: \`m["key"]\` (an error when the key is missing), \`map_get(m, "key", "default")\`
- time: \`timestamp > timestamp("2026-11-20T14:30:00Z")\`, \`timestamp > now() - duration("5m")\`

## Fields
Protocol flags (bool): \`http\` (HTTP/1.1 and HTTP/2, gRPC included), \`grpc\`, \`dns\`, \`redis\`,
\`kafka\`, \`postgresql\`, \`mysql\`, \`mongodb\`, \`amqp\`, \`ldap\`, \`ws\`, \`gql\`, \`tcp\`, \`udp\`, \`tls\`.

Who talks (strings unless marked):
- \`src.ip\`, \`dst.ip\`, \`src.port\`, \`dst.port\` (int)
- \`src.pod.name\`, \`src.pod.namespace\`, \`dst.pod.name\`, \`dst.pod.namespace\`
- \`src.service.name\`, \`src.service.namespace\`, \`dst.service.name\`, \`dst.service.namespace\`
- \`src.name\` / \`dst.name\` (best identity: pod, else service, else DNS name), \`src.namespace\`,
  \`dst.namespace\`, \`dst.dns\` (the host name of an outside peer)
- \`namespaces\`, \`pods\`, \`services\` (lists of both sides'), \`local_labels\`, \`remote_labels\` (maps)
- \`node_name\`, \`node_id\`

When and how long:
- \`timestamp\` (a timestamp; compare with \`timestamp("…")\`)
- \`elapsed_time\` (int, MICROseconds from request to response: 1 s = 1000000)

HTTP (also gRPC):
- \`method\`, \`path\` (no query), \`url\` (with query), \`status_code\` (int), \`http_version\`
- \`query_string\` (map), \`request.headers\`, \`response.headers\` (maps, lower-case keys),
  \`request.cookies\`, \`response.cookies\`
- \`request_body_size\`, \`response_body_size\`, \`request_headers_size\`, \`response_headers_size\`
- gRPC: \`grpc_method\` (e.g. "Reserve"), \`grpc_status\` (0 = OK; -1 when not gRPC)

DNS: \`dns_questions\`, \`dns_answers\`, \`dns_question_types\` (lists), \`dns_request\`,
\`dns_response\`, and \`status_code\` holds the rcode (0 NOERROR, 3 NXDOMAIN).

Redis: \`redis_type\` (the verb), \`redis_command\`, \`redis_key\`.
Kafka: \`kafka_api_key_name\` ("PRODUCE", "FETCH"), \`kafka_api_key\`, \`kafka_client_id\`,
\`kafka_request_summary\` (the topic).
PostgreSQL: \`postgresql_command\`, \`postgresql_query\`, \`postgresql_database\`,
\`postgresql_user\`, \`postgresql_success\` (bool), \`postgresql_error_code\` (a SQLSTATE string,
e.g. "23505").

Request bodies are not filter fields: find the call, then read it with get_api_call.

## Examples
\`\`\`
http && status_code >= 500                              server errors
http && status_code in [401, 403]                       denied requests
http && elapsed_time > 1000000                          slower than 1 s
http && method == "POST" && path.startsWith("/api/")
dst.service.name == "payment" && src.pod.namespace == "shop"
src.pod.namespace != dst.pod.namespace                  cross-namespace traffic
"authorization" in request.headers                      requests that carry credentials
map_get(request.headers, "x-request-id", "") == "req-7f3a9c2e"
dns && status_code != 0                                 failed lookups (NXDOMAIN, SERVFAIL)
dns && dns_questions.exists(q, q.endsWith(".com"))
dst.ip == "169.254.169.254"                             cloud metadata service
grpc && grpc_status != 0
redis && redis_key.startsWith("session:")
kafka && kafka_api_key_name == "PRODUCE"
postgresql && !postgresql_success
timestamp > now() - duration("10m")
\`\`\`

## Common mistakes
- \`method = "GET"\`: \`=\` is not an operator; compare with \`==\`.
- \`http AND status_code >= 500\`: combine with \`&&\` and \`||\` (servers that accept KFL1 translate
  \`and\`/\`or\`/\`not\` in any case, and say so).
- \`status_code == "500"\`: status_code is an int; write \`status_code == 500\`.
- \`elapsed_time > 500\` meant as 500 ms: it is µs; write \`elapsed_time > 500000\`.
- \`request.headers["x-id"] == "a"\` fails on entries without that header; use
  \`map_get(request.headers, "x-id", "") == "a"\` or \`"x-id" in request.headers && …\`.
- \`namespaces.contains("shop")\`: list membership is \`"shop" in namespaces\`; a substring of any
  element is \`dns_questions.exists(q, q.contains("minexmr"))\`.
- \`timestamp > "2026-11-20"\`: compare timestamps with \`timestamp("2026-11-20T00:00:00Z")\`.
- An "unknown field" error names a field that does not exist and suggests the closest ones: check
  the spelling against the lists above.

## Older syntax (KFL1)
Kubeshark's older docs show KFL1. Servers that accept it translate it, and report the translation:
\`and\` → \`&&\`, \`or\` → \`||\`, \`not\` → \`!\`, \`response.status\` → \`status_code\`,
\`request.path\` → \`path\`, \`request.method\` → \`method\`, \`src.ns\` → \`src.pod.namespace\`,
\`dst.svc\` → \`dst.service.name\`, \`dst.pod == "x"\` → \`dst.pod.name == "x"\`,
\`x contains "y"\` → \`x.contains("y")\` (on a list: \`x.exists(e, e.contains("y"))\`),
\`response.latency\` (ms) → \`elapsed_time / 1000\`.
Write KFL2.
`;
