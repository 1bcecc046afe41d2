// Option knowledge of the programs `command` rules are usually written for: which spellings name the
// same option (`-r` ≡ `-R` ≡ `--recursive`), and which options take a value (so `chown --from=a:b -R x /`
// and `git -C /srv push` split options from operands correctly). Data, not code: command-rule.ts reads
// these tables the same way for every program, and a program not listed still works — its options are
// then only matched as written (short letters inside bundles, long names, GNU-style).
//
// Sources: the GNU coreutils, util-linux, procps, iptables, shadow, cronie, git and systemd manuals.

export interface OptionTable {
  /** Each group lists spellings of one option; the first is its canonical name. */
  readonly same?: readonly (readonly string[])[];
  /** Options that consume a value (`-n 5`, `-n5`, `--lines 5`, `--lines=5`). */
  readonly values?: readonly string[];
  /** Options are whole words after one dash and never bundle (find's `-delete`, `-exec`). */
  readonly wordOptions?: boolean;
}

const RM: OptionTable = {
  same: [
    ["-r", "-R", "--recursive"],
    ["-f", "--force"],
    ["-i"],
    ["-I"],
    ["-d", "--dir"],
    ["-v", "--verbose"],
    ["--interactive"],
    ["--no-preserve-root"],
    ["--preserve-root"],
    ["--one-file-system"],
  ],
};

const CHMOD_FAMILY: OptionTable = {
  same: [
    ["-R", "--recursive"],
    ["-f", "--silent", "--quiet"],
    ["-v", "--verbose"],
    ["-c", "--changes"],
    ["-h", "--no-dereference"],
    ["--dereference"],
    ["--no-preserve-root"],
    ["--preserve-root"],
    ["--reference"],
    ["--from"],
  ],
  values: ["--reference", "--from"],
};

const SHUTDOWN: OptionTable = {
  same: [
    ["-h", "-P", "--poweroff"],
    ["-r", "--reboot"],
    ["-H", "--halt"],
    ["-k"],
    ["-c"],
    ["-f", "--force"],
    ["-p"],
    ["-n"],
    ["-w", "--wtmp-only"],
    ["--no-wall"],
  ],
};

const KILL: OptionTable = {
  same: [
    ["-s", "--signal"],
    ["-l", "--list"],
    ["-9", "-KILL", "-SIGKILL"],
    ["-15", "-TERM", "-SIGTERM"],
  ],
  values: ["-s", "--signal", "-n"],
};

const PKILL: OptionTable = {
  same: [["-f", "--full"], ["-u", "--euid"], ["-U", "--uid"], ["-9", "-KILL", "-SIGKILL"], ["--signal"]],
  values: [
    "-u",
    "--euid",
    "-U",
    "--uid",
    "-g",
    "--pgroup",
    "-G",
    "--group",
    "-P",
    "--parent",
    "-s",
    "--session",
    "-t",
    "--terminal",
    "--signal",
    "-F",
    "--pidfile",
    "--ns",
    "--nslist",
  ],
};

const KILLALL: OptionTable = {
  same: [
    ["-9", "-KILL", "-SIGKILL"],
    ["-s", "--signal"],
    ["-u", "--user"],
    ["-r", "--regexp"],
  ],
  values: [
    "-s",
    "--signal",
    "-u",
    "--user",
    "-o",
    "--older-than",
    "-y",
    "--younger-than",
    "-n",
    "--ns",
    "-Z",
    "--context",
  ],
};

const IPTABLES: OptionTable = {
  same: [
    ["-F", "--flush"],
    ["-X", "--delete-chain"],
    ["-P", "--policy"],
    ["-D", "--delete"],
    ["-A", "--append"],
    ["-I", "--insert"],
    ["-Z", "--zero"],
    ["-t", "--table"],
  ],
  // The value of -P is a chain and a target: both are operands here, which argument patterns can see.
  values: [
    "-t",
    "--table",
    "-A",
    "--append",
    "-D",
    "--delete",
    "-I",
    "--insert",
    "-R",
    "--replace",
    "-N",
    "--new-chain",
    "-E",
    "--rename-chain",
    "-j",
    "--jump",
    "-s",
    "--source",
    "-d",
    "--destination",
    "-p",
    "--protocol",
    "-i",
    "--in-interface",
    "-o",
    "--out-interface",
    "-m",
    "--match",
    "-w",
    "--wait",
    "-g",
    "--goto",
    "--dport",
    "--sport",
  ],
};

const USERDEL: OptionTable = {
  same: [
    ["-r", "--remove"],
    ["-f", "--force"],
    ["-Z", "--selinux-user"],
  ],
  values: ["-R", "--root", "-P", "--prefix"],
};

const CRONTAB: OptionTable = {
  same: [["-r"], ["-i"], ["-l"], ["-e"], ["-u"]],
  values: ["-u", "-s"],
};

const GIT: OptionTable = {
  same: [
    ["-f", "--force"],
    ["--force-with-lease"],
    ["--mirror"],
    ["--delete", "-d"],
    ["--all"],
    ["--tags"],
    ["--hard"],
    ["-D"],
    ["-x"],
  ],
  // Global options before the subcommand, and common ones after it.
  values: [
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--super-prefix",
    "--config-env",
    "--repo",
    "--receive-pack",
    "--exec",
    "-o",
    "--push-option",
    "--signed",
  ],
};

const SYSTEMCTL: OptionTable = {
  same: [["--now"], ["-f", "--force"], ["-i", "--ignore-inhibitors"], ["--no-block"]],
  values: [
    "-H",
    "--host",
    "-M",
    "--machine",
    "-t",
    "--type",
    "-s",
    "--signal",
    "-p",
    "--property",
    "--state",
    "--root",
    "--kill-whom",
    "--job-mode",
    "-n",
    "--lines",
    "-o",
    "--output",
    "--what",
    "--timestamp",
    "--when",
    "--message",
    "--boot-loader-entry",
    "--boot-loader-menu",
    "--reboot-argument",
    "--kill-value",
    "--drop-in",
    "--image",
    "--image-policy",
    "--preset-mode",
  ],
};

const DD: OptionTable = {};

const FIND: OptionTable = {
  wordOptions: true,
  same: [["-delete"], ["-exec"], ["-execdir"], ["-ok"], ["-okdir"], ["-L"], ["-H"], ["-P"]],
  values: [
    "-name",
    "-iname",
    "-path",
    "-ipath",
    "-wholename",
    "-iwholename",
    "-regex",
    "-iregex",
    "-type",
    "-xtype",
    "-mtime",
    "-mmin",
    "-atime",
    "-amin",
    "-ctime",
    "-cmin",
    "-size",
    "-user",
    "-group",
    "-uid",
    "-gid",
    "-perm",
    "-maxdepth",
    "-mindepth",
    "-newer",
    "-links",
    "-inum",
    "-samefile",
    "-fstype",
    "-printf",
    "-fprint",
    "-fprintf",
    "-fls",
    "-D",
    "-O",
  ],
};

const MKFS: OptionTable = {
  same: [["-f", "-F", "--force"]],
  values: ["-t", "-b", "-L", "-n", "-O", "-E", "-i", "-I", "-m", "-N", "-T", "-U", "-c"],
};

export const OPTION_TABLES: ReadonlyMap<string, OptionTable> = new Map<string, OptionTable>([
  ["rm", RM],
  ["chmod", CHMOD_FAMILY],
  ["chown", CHMOD_FAMILY],
  ["chgrp", CHMOD_FAMILY],
  ["shutdown", SHUTDOWN],
  ["reboot", SHUTDOWN],
  ["halt", SHUTDOWN],
  ["poweroff", SHUTDOWN],
  ["kill", KILL],
  ["pkill", PKILL],
  ["pgrep", PKILL],
  ["killall", KILLALL],
  ["iptables", IPTABLES],
  ["ip6tables", IPTABLES],
  ["userdel", USERDEL],
  ["deluser", USERDEL],
  ["crontab", CRONTAB],
  ["git", GIT],
  ["systemctl", SYSTEMCTL],
  ["dd", DD],
  ["find", FIND],
  ["mkfs", MKFS],
  ["mke2fs", MKFS],
]);

/** The table of a program: its own, or a family's (`mkfs.ext4` → `mkfs`). */
export function optionTableOf(program: string): OptionTable | undefined {
  const own = OPTION_TABLES.get(program);
  if (own !== undefined) return own;
  const dot = program.indexOf(".");
  return dot > 0 ? OPTION_TABLES.get(program.slice(0, dot)) : undefined;
}
