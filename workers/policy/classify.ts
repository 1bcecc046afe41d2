// Command classification for the COMMAND record: command_type and an intrinsic risk_level, independent
// of any policy (an allowed `rm -rf ./build` is still high risk). Deliberately a small table plus a few
// argument checks: it informs audit and dashboards, it never blocks anything by itself.

import type { CommandType, ParsedCommand, Severity } from "./types.ts";

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

export interface Classification {
  type: CommandType;
  risk: Severity;
}

const TYPE_LISTS: Readonly<Record<Exclude<CommandType, "shell">, string>> = {
  network:
    "ssh scp sftp curl wget nc ncat netcat socat telnet ftp tftp ping ping6 traceroute tracepath mtr dig nslookup " +
    "host whois ip ifconfig route netstat ss arp iptables ip6tables iptables-save iptables-restore nft ufw " +
    "firewall-cmd tcpdump nmap rsync nmcli ethtool",
  admin:
    "sudo su doas pkexec runuser useradd userdel usermod adduser deluser passwd chpasswd chage groupadd groupdel " +
    "groupmod gpasswd visudo apt apt-get aptitude dpkg yum dnf rpm zypper pacman apk snap flatpak setenforce",
  system:
    "shutdown reboot halt poweroff init telinit systemctl service journalctl kill killall pkill ps top htop free " +
    "uptime df mount umount fdisk sfdisk parted mke2fs mkswap swapon swapoff wipefs dmesg sysctl modprobe insmod " +
    "rmmod lsmod crontab hostnamectl timedatectl uname hostname lsblk blkid",
  file:
    "ls cat cp mv rm rmdir mkdir touch chmod chown chgrp ln find grep egrep fgrep head tail less more vi vim nano " +
    "emacs tar zip unzip gzip gunzip bzip2 xz dd stat du file tee sed awk sort uniq wc diff cut tr truncate shred " +
    "locate tree readlink realpath",
};

const TYPES = new Map<string, CommandType>();
for (const [type, list] of Object.entries(TYPE_LISTS)) {
  for (const p of list.split(" ")) TYPES.set(p, type as CommandType);
}

const BASE_RISK = new Map<string, Severity>();
const setRisk = (risk: Severity, list: string): void => {
  for (const p of list.split(" ")) BASE_RISK.set(p, risk);
};
setRisk("critical", "mke2fs wipefs mkswap");
setRisk(
  "high",
  "shutdown reboot halt poweroff fdisk sfdisk parted shred userdel deluser passwd chpasswd visudo",
);
setRisk(
  "medium",
  "rm mv dd chmod chown chgrp kill killall pkill truncate mount umount swapoff sudo su doas pkexec runuser " +
    "useradd usermod adduser groupadd groupdel groupmod gpasswd curl wget nc ncat netcat socat telnet ftp tftp scp " +
    "rsync ssh sftp nmap tcpdump iptables ip6tables nft ufw firewall-cmd apt apt-get aptitude dpkg yum dnf rpm " +
    "zypper pacman apk snap setenforce insmod rmmod modprobe sysctl",
);

const RECURSIVE = /^-[a-zA-Z]*[rR]|^--recursive$/;
const ROOTISH =
  /^(?:\/+\.?\.?\/?\*?|~\/?\*?|\/(?:bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|usr|var)\/?\*?)$/;
const BLOCK_DEVICE = /^\/dev\/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|mapper\/|mem$|kmem$|port$)/;
const SYSTEM_FILE = /^\/(?:etc\/(?:passwd|shadow|group|gshadow|sudoers)|boot\/)/;

function argRisk(program: string, args: readonly string[]): Severity | null {
  switch (program) {
    case "rm": {
      if (!args.some((a) => RECURSIVE.test(a))) return null;
      return args.some((a) => ROOTISH.test(a)) ? "critical" : "high";
    }
    case "dd":
      return args.some((a) => a.startsWith("of=/dev/") && BLOCK_DEVICE.test(a.slice(3))) ? "critical" : null;
    case "chmod":
    case "chown":
    case "chgrp":
      return args.some((a) => RECURSIVE.test(a)) ? "high" : null;
    case "kill":
    case "pkill":
      return args.includes("1") || args.includes("-1") ? "high" : null;
    case "init":
    case "telinit":
      return args.includes("0") || args.includes("6") ? "high" : null;
    case "systemctl": {
      const verb = args.find((a) => !a.startsWith("-")) ?? "";
      if (/^(?:stop|disable|mask|kill|poweroff|reboot|halt|isolate|emergency|rescue)$/.test(verb))
        return "high";
      if (/^(?:start|restart|enable|reload|daemon-reload|edit|set-property)$/.test(verb)) return "medium";
      return null;
    }
    case "service":
      return args[1] === "stop" ? "high" : args[1] !== undefined ? "medium" : null;
    case "iptables":
    case "ip6tables":
    case "nft":
    case "ufw":
      return args.some((a) => /^(?:-F|--flush|-X|-P|flush|disable|reset)$/.test(a)) ? "high" : null;
    case "crontab":
      return args.includes("-r") ? "high" : null;
    case "swapoff":
      return args.includes("-a") ? "high" : null;
    default:
      return program.startsWith("mkfs") ? "critical" : null;
  }
}

export function classifyCommand(cmd: ParsedCommand): Classification {
  if (cmd.program === null) return { type: "shell", risk: "medium" };
  const program = cmd.program;
  const type = TYPES.get(program) ?? (program.startsWith("mkfs") ? "system" : "shell");
  let risk: Severity = BASE_RISK.get(program) ?? "low";
  const byArgs = argRisk(program, cmd.args);
  if (byArgs !== null) risk = maxSeverity(risk, byArgs);
  for (const r of cmd.redirects) {
    if (!r.op.startsWith(">") && !r.op.startsWith("&>") && r.op !== "<>") continue;
    if (BLOCK_DEVICE.test(r.target)) risk = "critical";
    else if (SYSTEM_FILE.test(r.target)) risk = maxSeverity(risk, "high");
  }
  return { type, risk };
}
