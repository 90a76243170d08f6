#!/usr/bin/env python3
"""Boot the appliance ISO under QEMU and check it over the serial console.

  images/boot-test.py ISO [--only bios|uefi] [--timeout S] [--keep-log]

Two boots, so both boot loaders and both kinds of medium are exercised:

  bios  legacy BIOS (SeaBIOS), the ISO as a CD-ROM, with a second disk
        that carries a 'persistence' partition: the welcome must name the
        persistent inventory, `siteboot --version` must print the version
        that was built, and `siteboot lab up` then `siteboot discover` must
        work inside the appliance (when the installed siteboot has them);
  uefi  UEFI (OVMF), the ISO as a raw USB stick on an xHCI controller, no
        persistence: the welcome must carry the loud RAM warning.

KVM is used when /dev/kvm opens, otherwise TCG with a longer timeout.
QEMU runs in its own process group and is killed however the test ends.
The time from power-on to the shell prompt is printed for each boot.
"""
import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
PROMPT = re.compile(rb"root@siteboot:[^\n]*# ?$")


def log(msg):
    print("boot-test: " + msg, flush=True)


class Console:
    """The guest's serial console on QEMU's stdio."""

    def __init__(self, cmd, logf):
        self.logf = logf
        self.buf = b""
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.p.stdout], [], [], min(left, 1.0))
        if r:
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                raise RuntimeError("QEMU exited (status %s)" % self.p.poll())
            self.logf.write(data)
            self.logf.flush()
            self.buf += ANSI.sub(b"", data).replace(b"\r", b"")
        elif self.p.poll() is not None:
            raise RuntimeError("QEMU exited (status %s)" % self.p.returncode)
        return True

    def expect(self, pattern, timeout, what):
        rx = re.compile(pattern, re.S | re.M) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            if not self._read(deadline):
                tail = self.buf[-600:].decode(errors="replace")
                raise TimeoutError("no %s within %ds; console tail:\n%s" % (what, timeout, tail))

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def run(self, cmd, timeout, n=[0]):
        """Run a shell command in the guest; its output and exit status."""
        n[0] += 1
        k = n[0]
        self.buf = b""
        # The markers are split in the typed line so that its echo does not match.
        self.send("echo __B%d''__; %s; echo __E%d''__ rc=$?\r" % (k, cmd, k))
        m = self.expect(rb"\n__B%d__\n(.*?)__E%d__ rc=(\d+)" % (k, k), timeout, "end of '%s'" % cmd)
        return m.group(1).decode(errors="replace"), int(m.group(2))


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


def persistence_disk(tmp):
    src = os.path.join(tmp, "persist-src")
    os.makedirs(src)
    with open(os.path.join(src, "persistence.conf"), "w") as f:
        f.write("/var/lib/siteboot\n")
    img = os.path.join(tmp, "persist.img")
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "persistence", "-d", src, img, "64M"],
                   check=True)
    return img


def qemu_cmd(iso, mode, tmp, accel):
    cmd = ["qemu-system-x86_64", "-m", "2048", "-smp", "2", "-accel", accel,
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-no-reboot", "-nic", "none"]
    if accel == "kvm":
        cmd += ["-cpu", "host"]
    if mode == "bios":
        cmd += ["-drive", "file=%s,media=cdrom,readonly=on,if=ide" % iso,
                "-drive", "file=%s,format=raw,if=virtio" % persistence_disk(tmp),
                "-boot", "d"]
    else:
        code = "/usr/share/OVMF/OVMF_CODE_4M.fd"
        vars_ = os.path.join(tmp, "OVMF_VARS.fd")
        shutil.copy("/usr/share/OVMF/OVMF_VARS_4M.fd", vars_)
        cmd += ["-machine", "q35",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_,
                "-drive", "file=%s,format=raw,if=none,id=stick,readonly=on" % iso,
                "-device", "qemu-xhci", "-device", "usb-storage,drive=stick,removable=on"]
    return cmd


class Checks:
    def __init__(self):
        self.ok = 0
        self.bad = 0
        self.untested = []

    def check(self, cond, what, detail=""):
        if cond:
            self.ok += 1
            print("ok - " + what, flush=True)
        else:
            self.bad += 1
            print("not ok - " + what, flush=True)
            for line in detail.strip().splitlines()[-15:]:
                print("#   " + line)


def boot(iso, mode, version, timeout, accel, checks, logdir):
    tmp = tempfile.mkdtemp(prefix="sb-boot-")
    logpath = os.path.join(logdir, "boot-%s.log" % mode)
    with open(logpath, "wb") as logf:
        con = Console(qemu_cmd(iso, mode, tmp, accel), logf)
        try:
            log("%s: QEMU pid %d (%s), console log %s" % (mode, con.p.pid, accel, logpath))
            con.expect(rb"siteboot " + re.escape(version.encode()) + rb" appliance", timeout / 2,
                       "GRUB menu")
            checks.check(True, "%s: GRUB menu shows siteboot %s" % (mode, version))
            m = con.expect(rb"(Next:  siteboot[^\n]*\n.*?)root@siteboot[^\n]*#", timeout, "welcome and prompt")
            secs = time.monotonic() - con.t0
            welcome = m.group(1).decode(errors="replace")
            log("%s: power-on to prompt: %.1f s" % (mode, secs))
            checks.check("Docs:" in welcome and "man siteboot" in welcome,
                         "%s: welcome names the next command and the docs" % mode, welcome)
            time.sleep(1)
            con.send("stty cols 200 rows 50; export TERM=dumb\r")
            time.sleep(1)
            out, rc = con.run("siteboot --version", 120)
            checks.check(rc == 0 and version in out,
                         "%s: siteboot --version prints %s" % (mode, version), out)
            # the libraries siteboot loads on first use are in the image
            out, rc = con.run("siteboot -v --version", 120)
            checks.check(rc == 0 and "MISSING" not in out and "libcurl" in out,
                         "%s: siteboot -v --version loads every library" % mode, out)
            if mode == "bios":
                checks.check("(persistent)" in welcome,
                             "bios: welcome says the inventory is on the persistence partition", welcome)
                out, rc = con.run("findmnt -n -o SOURCE,TARGET /var/lib/siteboot", 60)
                checks.check(rc == 0 and "/var/lib/siteboot" in out,
                             "bios: /var/lib/siteboot is mounted from the persistence disk", out)
                lab_and_discover(con, checks)
            else:
                checks.check("WARNING" in welcome and "LOST at power-off" in welcome,
                             "uefi: welcome warns loudly that the inventory is in RAM", welcome)
                out, rc = con.run("test -d /sys/firmware/efi && echo booted-uefi", 60)
                checks.check("booted-uefi" in out, "uefi: the appliance booted through UEFI", out)
            out, rc = con.run("timeout 600 systemctl is-system-running --wait", 660)
            checks.check(out.strip() in ("running", "degraded"),
                         "%s: systemd reached the running state (%s)" % (mode, out.strip()), out)
            if out.strip() == "degraded":
                failed, _ = con.run("systemctl --failed --no-legend --plain", 60)
                log("%s: failed units: %s" % (mode, failed.strip()))
            con.send("poweroff\r")
            try:
                con.p.wait(120)
            except subprocess.TimeoutExpired:
                pass
            return secs
        except (TimeoutError, RuntimeError) as e:
            checks.check(False, "%s: boot" % mode, str(e))
            return None
        finally:
            con.stop()
            shutil.rmtree(tmp, ignore_errors=True)


def lab_and_discover(con, checks):
    """`siteboot lab up`, then `siteboot discover` on the lab's BMCs."""
    _, has_lab = con.run("siteboot help lab >/dev/null 2>&1", 60)
    _, has_discover = con.run("siteboot help discover >/dev/null 2>&1", 60)
    if has_lab != 0 or has_discover != 0:
        missing = [c for c, r in (("lab", has_lab), ("discover", has_discover)) if r != 0]
        checks.untested.append("siteboot %s: not in this build of siteboot" % " and ".join(missing))
        return
    lab = "/var/lib/siteboot/lab"
    out, rc = con.run("siteboot lab up", 600)
    if rc != 0 and "without the lab's SSH hosts" in out:
        checks.untested.append("the lab's SSH hosts: this build of siteboot has none (lab up --no-ssh used)")
        out, rc = con.run("siteboot lab up --no-ssh", 600)
    checks.check(rc == 0, "bios: siteboot lab up inside the appliance", out)
    if rc != 0:
        return
    out, rc = con.run("siteboot --json discover --all --site %s/site.yaml --credentials %s/credentials.yaml"
                      " | python3 -c 'import json,sys; d=json.load(sys.stdin);"
                      " print(\"targets\", len(d), \"ok\", sum(1 for t in d if t.get(\"ok\")))'"
                      % (lab, lab), 600)
    m = re.search(r"targets (\d+) ok (\d+)", out)
    checks.check(m is not None and int(m.group(1)) > 0 and m.group(1) == m.group(2),
                 "bios: siteboot discover reads every lab BMC inside the appliance (%s)"
                 % (m.group(0) if m else "no result"), out)
    out, rc = con.run("siteboot lab down", 300)
    checks.check(rc == 0, "bios: siteboot lab down", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iso")
    ap.add_argument("--only", choices=["bios", "uefi"])
    ap.add_argument("--timeout", type=int, default=0,
                    help="seconds to the prompt (default 300 with KVM, 1200 without)")
    ap.add_argument("--version", help="the version that was built (default: VERSION)")
    ap.add_argument("--logdir", help="where the console logs go (default: beside the ISO)")
    a = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    version = a.version or open(os.path.join(top, "VERSION")).read().strip()
    accel = "kvm" if kvm_usable() else "tcg"
    timeout = a.timeout or (300 if accel == "kvm" else 1200)
    logdir = a.logdir or os.path.dirname(os.path.abspath(a.iso))
    if not os.path.isfile(a.iso):
        print("boot-test: %s: no such ISO; run 'make image' first" % a.iso, file=sys.stderr)
        return 2
    log("%s, siteboot %s, %s, timeout %ds per boot" % (a.iso, version, accel.upper(), timeout))
    checks = Checks()
    times = {}
    for mode in ("bios", "uefi"):
        if a.only and a.only != mode:
            continue
        times[mode] = boot(a.iso, mode, version, timeout, accel, checks, logdir)
    for mode, secs in times.items():
        if secs is not None:
            log("%s: power-on to prompt %.1f s (%s)" % (mode, secs, accel.upper()))
    for u in checks.untested:
        log("UNTESTED: " + u)
    print("%d passed, %d failed" % (checks.ok, checks.bad))
    return 0 if checks.bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
