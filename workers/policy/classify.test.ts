// Intrinsic classification of a command, independent of policy.

import { describe, expect, it } from "vitest";
import { classifyCommand, maxSeverity } from "./classify.ts";
import { parseCommandLine } from "./parse-shell.ts";

const classify = (line: string) =>
  classifyCommand(parseCommandLine(line).commands[0] ?? expect.unreachable());

describe("classifyCommand", () => {
  it.each([
    ["ls -la", "file", "low"],
    ["echo hi", "shell", "low"],
    ["rm file.txt", "file", "medium"],
    ["rm -rf ./build", "file", "high"],
    ["rm -r -f /", "file", "critical"],
    ["rm -rf /*", "file", "critical"],
    ["rm -Rf ~", "file", "critical"],
    ["dd if=/dev/zero of=/dev/sda", "file", "critical"],
    ["dd if=a.img of=b.img", "file", "medium"],
    ["mkfs.ext4 /dev/sda1", "system", "critical"],
    ["shutdown -h now", "system", "high"],
    ["init 0", "system", "high"],
    ["systemctl status sshd", "system", "low"],
    ["systemctl restart nginx", "system", "medium"],
    ["systemctl stop sshd", "system", "high"],
    ["kill -9 1", "system", "high"],
    ["iptables -L", "network", "medium"],
    ["iptables -F", "network", "high"],
    ["curl https://example.com", "network", "medium"],
    ["sudo ls", "admin", "medium"],
    ["passwd root", "admin", "high"],
    ["chmod -R 777 /srv", "file", "high"],
    ["crontab -r", "system", "high"],
    ["echo x > /dev/sda", "shell", "critical"],
    ["echo 'root::0:0::/:/bin/sh' >> /etc/passwd", "shell", "high"],
    ["cat < /dev/sda", "file", "low"],
  ])("%s → %s / %s", (line, type, risk) => {
    expect(classify(line)).toEqual({ type, risk });
  });

  it("a program only known at run time is medium risk", () => {
    expect(classify("$x -rf /")).toEqual({ type: "shell", risk: "medium" });
  });

  it("maxSeverity orders low < medium < high < critical", () => {
    expect(maxSeverity("low", "critical")).toBe("critical");
    expect(maxSeverity("high", "medium")).toBe("high");
  });
});
