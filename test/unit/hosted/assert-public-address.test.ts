import { describe, expect, it } from "vitest";
import {
  assertPublicAddress,
  isPrivateAddress,
  PrivateAddressError,
} from "../../../src/github/hosted/assert-public-address.ts";

describe("public address check (hosted SSRF guard)", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.20.0.5",
    "192.168.1.1",
    "169.254.169.254",
    "100.100.1.1",
    "0.0.0.0",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "::ffff:10.0.0.1",
  ])("%s is private", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "%s is public",
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it("resolves names and literals before deciding", async () => {
    await expect(assertPublicAddress("http://localhost:8123")).rejects.toBeInstanceOf(
      PrivateAddressError,
    );
    await expect(assertPublicAddress("http://[::1]:8123")).rejects.toBeInstanceOf(
      PrivateAddressError,
    );
    await expect(assertPublicAddress("https://8.8.8.8:8443")).resolves.toBeUndefined();
  });
});
