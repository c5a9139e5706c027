# Coverage of the seccomp policies: one real run of tern under strace -f
# (seccomp enforced, the default) with a disk, a tap NIC, rng, 2 vCPUs, CPU
# hotplug (PSCI CPU_OFF/CPU_ON, SDEI masking in the guest kernel), control
# traffic, a system_reset that builds the VM again, and a poweroff. Then,
# per role, every rule of the policy must have been reached by a syscall the
# role's filter judged:
#   vmm   its own rules (not the include): the main thread's syscalls after
#         it installed the filter, and the vCPU threads' (they inherit it)
#   vcpu  the vCPU threads' syscalls after each installed its own filter
# `ioctl NAME` rules match the request strace decodes; conditions on
# arguments are matched on strace's decoding (`argN == NAME|NUMBER`, and
# flag tests `argN & FLAG == FLAG|0` by the flag's name in the arguments),
# others by the syscall name. Rules whose reason starts with "[rare]" serve
# error paths only: they are listed in one skip result, not counted. Rules
# marked "[env]" depend on the C library or the host kernel: counted when
# reached, listed in another skip result when not.
# tern gets a terminal (ptyrun) so the console's raw mode and its restore
# at exit run; the guest is the test guest's shell, driven through it.
. /scenarios/lib.sh

SYSROOT=${STRACE_SYSROOT:-/strace}
POLICIES=${POLICIES:-/seccomp}
TERNCTL=${TERNCTL:-ternctl}

if [ ! -f "$SYSROOT/usr/bin/strace" ] || [ ! -f "$POLICIES/vmm.policy" ]; then
	result skip seccomp-coverage "no $SYSROOT/usr/bin/strace or $POLICIES in the test host (tools/fetch-assets.sh fetches strace)"
	exit 0
fi
STRACE="$SYSROOT/usr/lib/ld-linux-aarch64.so.1 --library-path $SYSROOT/usr/lib/aarch64-linux-gnu $SYSROOT/usr/bin/strace"

# ptyrun needs the pseudo-terminals, which the test host does not mount.
mounted_pts=
if ! grep -q " /dev/pts devpts " /proc/mounts; then
	mkdir -p /dev/pts
	mount -t devpts devpts /dev/pts && mounted_pts=1
fi

trace=$WORK/cov.strace
sock=$WORK/cov.sock
in=$WORK/cov.in
fifo=$WORK/cov.fifo
out=$WORK/cov.out
ctl=$WORK/cov.ctl
disk=$WORK/cov-disk.img
rm -f "$trace" "$sock" "$in" "$fifo"
mkfifo "$in" "$fifo"
dd if=/dev/zero of="$disk" bs=1M count=8 2>/dev/null

# In a network namespace of its own, as 70-virtio: tern's TUNSETIFF makes
# the tap, the host side gets 10.0.2.1 as soon as it exists.
cat >"$WORK/cov-net.sh" <<EOT
ip link set lo up
timeout 600 ptyrun $STRACE -f -qq -s 16 -o "$trace" \
	"$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline shell)" --cpus 2 --memory 256M \
	--disk "$disk" --net tap=tern0 --rng --control "$sock" \
	--sdei-event 200,shared,normal \
	<"$in" >"$fifo" 2>"$WORK/cov.err" &
pid=\$!
while ! ip link show tern0 >/dev/null 2>&1 && kill -0 \$pid 2>/dev/null; do :; done
ip addr add 10.0.2.1/24 dev tern0
ip link set tern0 up
wait \$pid
echo \$? >"$WORK/cov.rc"
EOT
echo 1 >"$WORK/cov.rc"
unshare -n sh "$WORK/cov-net.sh" &
upid=$!
exec 3>"$in"

# ctl ARGS...: one ternctl command, logged.
ctl() {
	echo "> ternctl $*" >>"$ctl"
	"$TERNCTL" "$sock" "$@" >>"$ctl" 2>&1
	echo "< $?" >>"$ctl"
}

# Guest commands, one per line; a marker is printed through $((...)) so the
# shell's echo of the command line never matches it.
boot=0
cr=$(printf '\r')
: >"$out"
: >"$ctl"
while IFS= read -r line; do
	line=${line%"$cr"}
	echo "$line" >>"$out"
	case "$line" in
	*"tern demo guest: busybox shell"*)
		boot=$((boot + 1))
		if [ $boot = 1 ]; then
			cat >&3 <<'EOT'
for m in virtio_mmio virtio_blk virtio-rng failover net_failover virtio_net; do insmod /lib/modules/$m.ko; done
dd if=/dev/vda of=/dev/null bs=4096 count=64 2>/dev/null; echo COV-READ-$((0+1))
dd if=/dev/zero of=/dev/vda bs=4096 seek=16 count=16 conv=fsync 2>/dev/null && echo COV-WROTE-$((0+1))
blkdiscard /dev/vda && echo COV-DISCARD-$((0+1))
echo COV-RNG-$(head -c 64 /dev/hwrng | wc -c)
ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
ping -c 2 -w 60 10.0.2.1 >/dev/null 2>&1 && echo COV-PING-$((0+1))
echo 0 >/sys/devices/system/cpu/cpu1/online; echo 1 >/sys/devices/system/cpu/cpu1/online; echo COV-HOTPLUG-$(cat /sys/devices/system/cpu/online)
echo COV-STEP-$((0+1))
EOT
		else
			ctl status
			echo "echo COV-REBOOTED-\$((0+1)); poweroff -f" >&3
		fi
		;;
	COV-STEP-1*)
		ctl status
		ctl --json metrics
		ctl cpus
		ctl sdei status
		ctl sdei signal 200
		ctl pause
		ctl status
		ctl resume
		ctl reset
		;;
	esac
done <"$fifo"
exec 3>&-
wait $upid
rc=$(cat "$WORK/cov.rc")
[ -n "$mounted_pts" ] && umount /dev/pts

# A second traced run: the SDEI conformance guest (as 50-sdei) takes events
# it signals to itself (a vCPU kicks its own thread) and ones the control
# socket raises.
strace2=
SDEI_GUEST=${SDEI_GUEST:-/guest/sdei-conformance.bin}
if [ -f "$SDEI_GUEST" ]; then
	strace2=$WORK/cov-sdei.strace
	ssock=$WORK/cov-sdei.sock
	sfifo=$WORK/cov-sdei.fifo
	rm -f "$strace2" "$ssock" "$sfifo"
	mkfifo "$sfifo"
	timeout 300 $STRACE -f -qq -s 16 -o "$strace2" "$TERN" run --kernel "$SDEI_GUEST" --memory 64M --cpus 2 \
		--sdei-event 100,private,critical --sdei-event 200,shared,normal \
		--control "$ssock" </dev/null >"$sfifo" 2>"$WORK/cov-sdei.err" &
	spid=$!
	: >"$WORK/cov-sdei.out"
	while IFS= read -r line; do
		line=${line%"$cr"}
		echo "$line" >>"$WORK/cov-sdei.out"
		# "waiting for event E on vCPU V[, nesting]" and "in normal handler,
		# waiting for event E on vCPU V": raise E (a private one on V).
		case "$line" in
		"# tern-sdei: "*"waiting for event "*" on vCPU "*)
			spec=${line#*waiting for event }
			ev=${spec%% *}
			vcpu=${spec#* on vCPU }
			vcpu=${vcpu%%,*}
			if [ "$ev" = 100 ]; then
				"$TERNCTL" "$ssock" sdei signal "$ev" --vcpu "$vcpu" >>"$ctl" 2>&1
			else
				"$TERNCTL" "$ssock" sdei signal "$ev" >>"$ctl" 2>&1
			fi
			;;
		esac
	done <"$sfifo"
	wait $spid
	src=$?
	if [ $src = 0 ] && grep -q '^# tern-sdei-conformance: passed [0-9]* failed 0$' "$WORK/cov-sdei.out"; then
		result pass seccomp-coverage-sdei-run "the SDEI conformance guest under strace: failed 0, exit 0"
	else
		result fail seccomp-coverage-sdei-run "the SDEI conformance guest under strace: exit $src"
		show_log "$WORK/cov-sdei.out" "$WORK/cov-sdei.err"
	fi
else
	result skip seccomp-coverage-sdei-run "no $SDEI_GUEST in the test host"
fi

LOGS="$out $WORK/cov.err $ctl"
ran_ok() {
	[ "$rc" = 0 ] && [ $boot = 2 ] &&
		for m in COV-READ-1 COV-WROTE-1 COV-DISCARD-1 COV-RNG-64 COV-PING-1 COV-HOTPLUG-0-1 COV-REBOOTED-1; do
			grep -q "^$m" "$out" || return 1
		done
}
if ran_ok; then
	result pass seccomp-coverage-run "tern under strace: disk, net, rng, hotplug, control, reset, poweroff; exit 0"
else
	result fail seccomp-coverage-run "the traced run did not do all it should (exit $rc, $boot boots)"
	show_log $LOGS
fi
LOGS=

# coverage ROLE POLICY: one result for the role; rare rules go to $WORK/rare.
coverage() {
	awk -v role="$1" -v rarefile="$WORK/rare.$1" -v envfile="$WORK/env.$1" '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	# The policy: one rule per line, "# [rare] ..." marks error-path rules.
	FNR == NR {
		line = $0
		h = index(line, "#")
		if (h == 0) next
		text = trim(substr(line, 1, h - 1))
		reason = trim(substr(line, h + 1))
		if (text == "" || text ~ /^include /) next
		n++
		rule[n] = text
		gsub(/[ \t]+/, " ", rule[n])
		rare[n] = (reason ~ /^\[rare\]/)
		env[n] = (reason ~ /^\[env\]/)
		why[n] = reason
		next
	}
	# strace -f -o: "PID  name(args) = ret", "PID  name(args <unfinished ...>",
	# "PID  <... name resumed>...", "PID  --- SIG... ---", "PID  +++ ... +++".
	FNR == 1 { run++ }
	{
		pid = run ":" $1
		if (FNR == 1) mainpid = pid
		rest = $0
		sub(/^[0-9]+ +/, "", rest)
		if (rest !~ /^[a-z_0-9]+\(/) next
		p = index(rest, "(")
		name = substr(rest, 1, p - 1)
		args = substr(rest, p + 1)
		sub(/ <unfinished \.\.\.>$/, "", args)
		judged = 0
		if (role == "vmm")
			judged = (pid != mainpid || installed[pid])
		else
			judged = (pid != mainpid && installed[pid])
		if (judged)
			for (i = 1; i <= n; i++)
				if (!hit[i] && matches(i, name, args)) hit[i] = 1
		if (name == "seccomp" && args ~ /^SECCOMP_SET_MODE_FILTER/) installed[pid] = 1
	}
	function flag_in(f, s) {
		return s ~ ("(^|[^A-Z0-9_])" f "([^A-Z0-9_]|$)")
	}
	function value_is(tok, v) {
		if (tok == v) return 1
		if (v ~ /^[0-9]+$/ && v + 0 >= 32) {
			if (tok == "SIGRT_" (v - 32)) return 1
			if (v + 0 == 32 && tok == "SIGRTMIN") return 1
		}
		return 0
	}
	function matches(i, name, args,    w, nw, t, nt, k, a, j, alts) {
		nw = split(rule[i], w, " ")
		if (w[1] == "ioctl" && nw == 2) {
			if (name != "ioctl") return 0
			nt = split(args, t, ", ")
			j = split(t[2], alts, " or ")
			for (k = 1; k <= j; k++) if (alts[k] == w[2]) return 1
			return 0
		}
		if (name != w[1]) return 0
		nt = split(args, t, ", ")
		for (k = 2; k <= nw; k++) {
			if (w[k] == "=>") break # the errno: matched by name
			if (w[k] !~ /^arg[0-5]$/) continue
			a = substr(w[k], 4) + 1
			if (w[k + 1] == "&" && w[k + 3] == "==") {
				if (w[k + 4] == w[k + 2] && !flag_in(w[k + 2], args)) return 0
				if (w[k + 4] == "0" && flag_in(w[k + 2], args)) return 0
				k += 4
			} else if (w[k + 1] == "==") {
				sub(/\)( = .*)?$/, "", t[a])
				sub(/ <unfinished \.\.\.>$/, "", t[a])
				if (!value_is(t[a], w[k + 2])) return 0
				k += 2
			} else
				k += 2 # another test: matched by name
		}
		return 1
	}
	END {
		for (i = 1; i <= n; i++) {
			if (rare[i]) {
				printf "%s%s", (nr++ ? "; " : ""), rule[i] >rarefile
				continue
			}
			if (env[i] && !hit[i]) {
				printf "%s%s", (ne++ ? "; " : ""), rule[i] >envfile
				continue
			}
			total++
			if (hit[i]) reached++
			else missed = missed (missed == "" ? "" : "; ") rule[i]
		}
		if (missed == "")
			printf "pass seccomp-coverage-%s every rule reached (%d of %d; not counted: %d rare, %d env)\n", role, reached, total, nr, ne
		else
			printf "fail seccomp-coverage-%s %d of %d rules reached; not reached: %s\n", role, reached, total, missed
	}' "$2" "$trace" $strace2
}

if [ ! -s "$trace" ]; then
	result fail seccomp-coverage "no strace output"
	show_log "$WORK/cov.err"
	exit 0
fi
rm -f "$WORK/rare.vmm" "$WORK/rare.vcpu" "$WORK/env.vmm" "$WORK/env.vcpu"
for role in vmm vcpu; do
	echo "TERN-RESULT $(coverage $role "$POLICIES/$role.policy")"
	# what each role's threads called, for whoever reads a failure
	awk -v role=$role 'FNR == 1 { m = $1 } {
		r = $0; sub(/^[0-9]+ +/, "", r)
		if (r !~ /^[a-z_0-9]+\(/) next
		if ((role == "vmm") != ($1 == m)) next
		if (r ~ /^ioctl\(/) { sub(/ <unfinished.*/, "", r); split(r, t, ", "); r = "ioctl:" t[2] } else sub(/\(.*/, "", r)
		seen[r]++
	} END { for (s in seen) printf "%s=%d ", s, seen[s]; print "" }' "$trace" $strace2 |
		sed "s|^|TERN-LOG seccomp-coverage $role threads: |"
done
rare=
for role in vmm vcpu; do
	[ -s "$WORK/rare.$role" ] && rare="$rare${rare:+; }$role: $(cat "$WORK/rare.$role")"
done
if [ -n "$rare" ]; then
	result skip seccomp-coverage-rare "error path, not reached by a normal run: $rare"
fi
env=
for role in vmm vcpu; do
	[ -s "$WORK/env.$role" ] && env="$env${env:+; }$role: $(cat "$WORK/env.$role")"
done
if [ -n "$env" ]; then
	result skip seccomp-coverage-env "needed only with another C library or a host kernel without a usable vDSO counter, not reached here: $env"
fi
