/** A throwaway PKI for the Kubernetes API double: a CA, a server cert for 127.0.0.1, a client cert. */

/** PEM texts. */
export interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

let made: Promise<Pki> | undefined;

/** Makes the PKI once per process, with openssl (present on every machine we run on). */
export function testPki(): Promise<Pki> {
  return made ??= makePki();
}

async function makePki(): Promise<Pki> {
  const dir = await Deno.makeTempDir({ prefix: "kube-double-pki-" });
  const openssl = async (...args: string[]) => {
    const output = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    })
      .output();
    if (!output.success) {
      throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
    }
  };
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(
    "req",
    "-x509",
    ...key,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=kube-double-ca",
  );
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  for (
    const [name, subject] of [["server", "/CN=127.0.0.1"], [
      "client",
      "/O=system:masters/CN=tester",
    ]]
  ) {
    await openssl("req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    // An extension file makes these X.509 v3, which rustls (Deno's TLS) requires.
    await openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  }
  const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
  const pki = {
    ca: await read("ca.crt"),
    serverCert: await read("server.crt"),
    serverKey: await read("server.key"),
    clientCert: await read("client.crt"),
    clientKey: await read("client.key"),
  };
  await Deno.remove(dir, { recursive: true });
  return pki;
}
