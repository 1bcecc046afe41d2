import { connect } from "node:net";
import { startVnc, type VncServer } from "@nostromo/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desEcb, reverseBits, VncAuthError, vncHandshake } from "./vnc-auth";

describe("VNC authentication's DES", () => {
  it("reverses the bits of a key byte", () => {
    expect(reverseBits(0x01)).toBe(0x80);
    expect(reverseBits(0x02)).toBe(0x40);
    expect(reverseBits(0xf0)).toBe(0x0f);
    expect(reverseBits(0x61)).toBe(0x86);
  });

  it("is single DES (the FIPS 81 / Stallings test vector)", () => {
    const key = Buffer.from("133457799BBCDFF1", "hex");
    expect(desEcb(key, Buffer.from("0123456789ABCDEF", "hex")).toString("hex")).toBe("85e813540f0ab405");
  });
});

/** The RFB stream right after the agent's handshake: ClientInit (shared), then the ServerInit's size. */
async function serverInit(vnc: VncServer, password: string | null) {
  const socket = connect(vnc.port, vnc.host);
  await new Promise((r) => socket.once("connect", r));
  try {
    const early = await vncHandshake(socket, password, 5000);
    socket.write(Buffer.from([1]));
    const init = await new Promise<Buffer>((resolve) => {
      let got = early;
      const take = (b: Buffer) => {
        got = Buffer.concat([got, b]);
        if (got.byteLength >= 4) resolve(got);
      };
      socket.on("data", take);
      socket.resume();
    });
    return { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
  } finally {
    socket.destroy();
  }
}

describe("the agent's VNC handshake against x11vnc", () => {
  let withPassword: VncServer;
  let open: VncServer;
  beforeAll(async () => {
    [withPassword, open] = await Promise.all([
      startVnc({ password: "s3cret-pw", width: 320, height: 200 }),
      startVnc({ width: 300, height: 180 }),
    ]);
  }, 40_000);
  afterAll(async () => {
    await Promise.all([withPassword?.stop(), open?.stop()]);
  });

  it("answers VNC Authentication with the password and reaches ServerInit", async () => {
    expect(await serverInit(withPassword, "s3cret-pw")).toEqual({ width: 320, height: 200 });
  });

  it("a wrong password is AUTH_FAILED", async () => {
    const err = await serverInit(withPassword, "wrong").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VncAuthError);
    expect((err as VncAuthError).code).toBe("AUTH_FAILED");
  });

  it("no password against a server that asks for one is AUTH_FAILED, with nothing sent", async () => {
    const err = await serverInit(withPassword, null).catch((e: unknown) => e);
    expect((err as VncAuthError).code).toBe("AUTH_FAILED");
  });

  it("uses None when the server has no password", async () => {
    expect(await serverInit(open, null)).toEqual({ width: 300, height: 180 });
  });
});
