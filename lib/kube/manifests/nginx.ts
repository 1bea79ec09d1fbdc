/**
 * ConfigMap kubeshark-nginx-config-map: the front end's nginx. Our own configuration, doing what
 * the chart's does: serve the dashboard (single-page app), and pass /api (prefix removed, streaming
 * and WebSocket upgrades kept) and /saml to the Hub, /dex to Dex when configured, all under an
 * optional base path.
 */
import { type Manifest, metadata, type Release } from "./meta.ts";

/** The nginx ConfigMap. */
export function nginxConfigMap(release: Release): Manifest {
  const tap = release.values.tap;
  const base: string = tap.routing?.front?.basePath ?? "";
  const forwarded = [
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header Host $http_host;",
    "proxy_pass_request_headers on;",
    "proxy_connect_timeout 4s;",
  ];
  const upgrade = [
    "proxy_set_header Upgrade websocket;",
    "proxy_set_header Connection Upgrade;",
    "proxy_set_header Authorization $http_authorization;",
    "proxy_pass_header Authorization;",
  ];
  const app = [
    "root /usr/share/nginx/html;",
    "index index.html index.htm;",
    "try_files $uri $uri/ /index.html;",
    "expires -1;",
    "add_header Cache-Control no-cache;",
  ];
  const location = (path: string, lines: string[]) =>
    [`  location ${path} {`, ...lines.map((line) => `    ${line}`), "  }"].join("\n");
  const blocks = [
    location(`${base}/api`, [
      `rewrite ^${base}/api(.*)$ $1 break;`,
      "proxy_pass http://kubeshark-hub;",
      ...forwarded,
      ...upgrade,
      "# Streaming answers (gRPC/Connect) must not be buffered or size-capped.",
      "client_max_body_size 0;",
      "proxy_request_buffering off;",
      "proxy_buffering off;",
    ]),
    location(`${base}/saml`, [
      `rewrite ^${base}/saml(.*)$ /saml$1 break;`,
      "proxy_pass http://kubeshark-hub;",
      ...forwarded,
      "proxy_read_timeout 120s;",
      "proxy_send_timeout 12s;",
    ]),
    ...(tap.auth?.dexConfig
      ? [location("/dex", [
        `rewrite ^${base}/dex(.*)$ /dex$1 break;`,
        "proxy_pass http://kubeshark-dex;",
        ...forwarded,
        ...upgrade,
        "proxy_read_timeout 120s;",
        "proxy_send_timeout 12s;",
      ])]
      : []),
    ...(base ? [location(base, [`rewrite ^${base}(.*)$ $1 break;`, ...app])] : []),
    location("/", app),
    location("= /50x.html", ["root /usr/share/nginx/html;"]),
  ];
  const server = [
    "server {",
    "  listen 8080;",
    ...(tap.ipv6 ? ["  listen [::]:8080;"] : []),
    "  access_log /dev/stdout;",
    "  error_log /dev/stdout;",
    "  client_body_buffer_size 64k;",
    "  client_header_buffer_size 32k;",
    "  large_client_header_buffers 8 64k;",
    "  proxy_buffer_size 64k;",
    "  proxy_buffers 4 128k;",
    "  proxy_busy_buffers_size 128k;",
    ...blocks,
    "  error_page 500 502 503 504 /50x.html;",
    "}",
    "",
  ].join("\n");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(release, "kubeshark-nginx-config-map", { tapAnnotations: false }),
    data: { "default.conf": server },
  };
}
