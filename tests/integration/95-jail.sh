# The jail (--jail DIR --uid U --gid G): the jailed tern is checked from
# outside while its guest runs (ids, capabilities, PID namespace, its root,
# the control socket through the bound directory), then a disk, a tap and
# --jail-net work jailed, and the mistakes are clear errors.
. /scenarios/lib.sh

jail=$WORK/jail
ctl=$WORK/jail-ctl
sock=$ctl/ctl.sock
disks=$WORK/jail-disks
disk=$disks/disk.img
J="--jail $jail --uid 1000 --gid 1000"

rm -rf "$jail" "$ctl" "$disks"
mkdir -p "$jail" "$ctl" "$disks"
# tern does not chown what it is given: the socket's directory and the disk
# are made usable by uid 1000 here, as an operator would.
chown 1000:1000 "$ctl"
dd if=/dev/zero of="$disk" bs=1M count=8 2>/dev/null
chown 1000:1000 "$disk"

# child_of PID: the pid of PID's child (the jailed tern under the outer one).
child_of() {
	for s in /proc/[0-9]*/status; do
		if grep -q "^PPid:[[:space:]]*$1\$" "$s" 2>/dev/null; then
			s=${s#/proc/}
			echo "${s%/status}"
			return 0
		fi
	done
	return 1
}

# --- a running jailed guest, seen from outside -------------------------------
in=$WORK/jail.in
out=$WORK/jail.fifo
rm -f "$in" "$out"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline clock)" --disk "$disk" --control "$sock" $J -v \
	<"$in" >"$out" 2>"$WORK/jail-run.err" &
pid=$!
exec 3>"$in"
: >"$WORK/jail-run.out"
cpid=
readies=0
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	echo "$line" >>"$WORK/jail-run.out"
	case "$line" in
	*TERN-GUEST-READY*)
		readies=$((readies + 1))
		# First boot: a reset from the control socket makes tern build the
		# VM again inside the jail (kernel, initrd, disk and /dev/kvm
		# opened anew, as uid 1000). The looking is done on the second.
		if [ $readies = 1 ]; then
			ternctl "$sock" reset >"$WORK/jail-reset.out" 2>&1
			continue
		fi
		cpid=$(child_of $pid)
		cat "/proc/$cpid/status" >"$WORK/jail-child.status" 2>&1
		cat "/proc/$pid/status" >"$WORK/jail-outer.status" 2>&1
		ls -A "/proc/$cpid/root/" >"$WORK/jail-root.ls" 2>&1
		ls -A "/proc/$cpid/root/dev" >"$WORK/jail-dev.ls" 2>&1
		stat -c '%u:%g %a %F' "/proc/$cpid/root/dev/kvm" >"$WORK/jail-kvm.stat" 2>&1
		[ -e "/proc/$cpid/root/proc" ] && echo present >"$WORK/jail-proc" || echo absent >"$WORK/jail-proc"
		[ -f "/proc/$cpid/root$GUEST_KERNEL" ] && [ -f "/proc/$cpid/root$disk" ] &&
			echo bound >"$WORK/jail-files" || echo missing >"$WORK/jail-files"
		# The jail's root is read-only even for root outside it.
		touch "/proc/$cpid/root/intruder" 2>"$WORK/jail-touch.err" && echo written >"$WORK/jail-touch" ||
			echo refused >"$WORK/jail-touch"
		ls -A "$jail" >"$WORK/jail-hostdir.ls" 2>&1
		stat -c '%u' "$sock" >"$WORK/jail-sock.stat" 2>&1
		ternctl "$sock" status >"$WORK/jail-ctl.out" 2>&1
		# The outer process passes SIGTERM on: tern stops with 143.
		kill -TERM $pid
		;;
	esac
done <"$out"
exec 3>&-
wait $pid
echo $? >"$WORK/jail-run.rc"
LOGS="$WORK/jail-reset.out"
check jail-reboot "a reset rebuilds the VM inside the jail: the guest comes up again" [ $readies = 2 ]
LOGS="$WORK/jail-child.status"
check jail-uid "the jailed tern runs as uid 1000" \
	grep -q "^Uid:[[:space:]]*1000[[:space:]]*1000[[:space:]]*1000[[:space:]]*1000\$" "$WORK/jail-child.status"
check jail-gid "... and gid 1000, no supplementary groups" \
	sh -c "grep -q '^Gid:[[:space:]]*1000[[:space:]]*1000[[:space:]]*1000[[:space:]]*1000\$' '$WORK/jail-child.status' &&
		grep -q '^Groups:[[:space:]]*\$' '$WORK/jail-child.status'"
check jail-caps "no capabilities left: CapInh, CapPrm, CapEff, CapBnd and CapAmb are all 0" \
	sh -c "[ \$(grep -cE '^Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]*0000000000000000\$' '$WORK/jail-child.status') = 5 ]"
check jail-nnp "no_new_privs is set" grep -q "^NoNewPrivs:[[:space:]]*1\$" "$WORK/jail-child.status"
check jail-pid1 "the jailed tern is pid 1 in its own PID namespace" \
	grep -q "^NSpid:[[:space:]]*$cpid[[:space:]]*1\$" "$WORK/jail-child.status"
LOGS="$WORK/jail-outer.status"
check jail-outer "the outer tern stays root, outside, and only waits" \
	grep -q "^Uid:[[:space:]]*0[[:space:]]" "$WORK/jail-outer.status"
want=$(printf '%s\n' dev "$(echo "$GUEST_KERNEL" | cut -d/ -f2)" "$(echo "$GUEST_INITRD" | cut -d/ -f2)" \
	"$(echo "$WORK" | cut -d/ -f2)" | sort -u | tr '\n' ' ')
got=$(sort "$WORK/jail-root.ls" | tr '\n' ' ')
LOGS="$WORK/jail-root.ls"
check jail-root "the jail's / holds only '$want' (got '$got')" [ "$got" = "$want" ]
check jail-no-proc "no /proc in the jail: it sees no processes" grep -qx absent "$WORK/jail-proc"
LOGS="$WORK/jail-dev.ls $WORK/jail-kvm.stat"
check jail-dev "its /dev holds only kvm, owned by 1000:1000, mode 600" \
	sh -c "[ \"\$(cat '$WORK/jail-dev.ls')\" = kvm ] && grep -qx '1000:1000 600 character special file' '$WORK/jail-kvm.stat'"
check jail-files "the kernel and the disk are bound at their own paths" grep -qx bound "$WORK/jail-files"
LOGS="$WORK/jail-touch.err"
check jail-ro-root "the jail's root is read-only" grep -qx refused "$WORK/jail-touch"
LOGS="$WORK/jail-hostdir.ls"
check jail-hostdir "the jail directory on the host stays empty" [ ! -s "$WORK/jail-hostdir.ls" ]
LOGS="$WORK/jail-ctl.out $WORK/jail-sock.stat"
check jail-control "ternctl status works from outside through the bound socket directory" \
	grep -qx running "$WORK/jail-ctl.out"
check jail-sock-owner "the socket was made by the jailed tern (uid 1000)" grep -qx 1000 "$WORK/jail-sock.stat"
LOGS=
check jail-sigterm "SIGTERM to the outer tern reaches the jailed one: exit 143" rc_is jail-run 143
check jail-sock-gone "the jailed tern removed its socket on the way out" [ ! -e "$sock" ]

# --- a disk written from a jailed guest --------------------------------------
run_guest jail-disk disk-write --disk "$disk" $J
check jail-disk-guest "a jailed guest writes and syncs its disk" out_has jail-disk "TERN-GUEST-SYNCED"
check jail-disk-pattern "the pattern lands in the image" \
	sh -c "dd if='$disk' bs=512 skip=8 count=1 2>/dev/null | grep -q TERN-DISK-PATTERN-9"
check jail-disk-exit-0 "the jailed guest powers off: exit 0" rc_is jail-disk 0

# --- a tap from a jailed guest -----------------------------------------------
# Jailed, tern has no CAP_NET_ADMIN: it can only attach to a tap made for its
# uid (ip tuntap add NAME mode tap user U). busybox's tunctl cannot set an
# owner, so here the tap belongs to nobody and the attach must be refused
# with a clear error, after /dev/net/tun opened fine inside the jail.
cat >"$WORK/jail-net.sh" <<EOT
tunctl -t tern0 >/dev/null 2>"$WORK/jail-tunctl.err" || exit 90
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline net)" --net tap=tern0 $J \
	</dev/null >"$WORK/jail-net.out" 2>"$WORK/jail-net.err"
EOT
unshare -n sh "$WORK/jail-net.sh"
echo $? >"$WORK/jail-net.rc"
LOGS="$WORK/jail-net.rc $WORK/jail-tunctl.err"
net_refused() {
	rc_is jail-net 1 && err_has jail-net "cannot attach to tap 'tern0': Operation not permitted"
}
check jail-net-unowned "a tap not owned by the jail's uid: exit 1, the attach is refused (the open of /dev/net/tun in the jail worked)" \
	net_refused
LOGS=

# A tap made for the jail's uid (tests/integration/tools/mktap.c does what
# `ip tuntap add ... user 1000 group 1000` would): the jailed guest pings the
# test host through it.
cat >"$WORK/jail-tap.sh" <<EOT
ip link set lo up
mktap tern1 1000 1000 || exit 90
ip addr add 10.0.2.1/24 dev tern1
ip link set tern1 up
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline net)" --net tap=tern1 $J \
	</dev/null >"$WORK/jail-tap.out" 2>"$WORK/jail-tap.err"
EOT
unshare -n sh "$WORK/jail-tap.sh"
echo $? >"$WORK/jail-tap.rc"
check jail-tap-ping "a jailed guest on a tap owned by its uid pings the test host" \
	out_has jail-tap "TERN-GUEST-PING-OK 3"
check jail-tap-exit-0 "the jailed guest with a NIC powers off: exit 0" rc_is jail-tap 0

# --- --jail-net: a network namespace of its own --------------------------------
run_guest jail-ownnet poweroff $J --jail-net
check jail-ownnet "--jail-net: the guest boots and powers off, exit 0" rc_is jail-ownnet 0

# --- pivot_root ---------------------------------------------------------------
# The test host's / is the initramfs, which pivot_root refuses: the runs above
# took tern's fallback (move the jail onto /, chroot). Here / is first made a
# bind mount in a mount namespace of the test's own, so pivot_root is taken.
mkdir -p "$WORK/jail-pivot-root"
cat >"$WORK/jail-pivot.sh" <<EOT
mount -o rbind / "$WORK/jail-pivot-root" || exit 91
cd "$WORK/jail-pivot-root" || exit 92
mount -o move . / || exit 93
exec chroot . sh -c 'cd / && exec timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" \
	--initrd "$GUEST_INITRD" --cmdline "$(guest_cmdline poweroff)" $J -v \
	</dev/null >"$WORK/jail-pivot.out" 2>"$WORK/jail-pivot.err"'
EOT
unshare -m sh "$WORK/jail-pivot.sh"
echo $? >"$WORK/jail-pivot.rc"
LOGS="$WORK/jail-pivot.rc"
check jail-pivot "where / is not the initramfs, the jail is entered with pivot_root; exit 0" \
	sh -c "[ \"\$(cat '$WORK/jail-pivot.rc')\" = 0 ] && grep -q 'pivoted into the jail' '$WORK/jail-pivot.err'"
check jail-fallback "the runs on the initramfs took the fallback" \
	grep -q "/ is the initramfs: moved the jail onto it" "$WORK/jail-run.err"
LOGS=

# --- mistakes -----------------------------------------------------------------
# expect_error NAME RC MESSAGE [tern flags...]: tern stops before booting.
expect_error() {
	name=$1
	rc=$2
	msg=$3
	shift 3
	timeout 120 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" "$@" \
		</dev/null >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
	check "$name" "exit $rc and: $msg" sh -c "[ \"\$(cat '$WORK/$name.rc')\" = $rc ] && grep -qF -- \"$msg\" '$WORK/$name.err'"
}
expect_error jail-err-nodir 1 "--jail '/nonexistent-jail': No such file or directory" \
	--jail /nonexistent-jail --uid 1000 --gid 1000
expect_error jail-err-notdir 1 "--jail '$disk' is not a directory" --jail "$disk" --uid 1000 --gid 1000
expect_error jail-err-uid0 2 "--uid 0 is root" --jail "$jail" --uid 0 --gid 1000
expect_error jail-err-nogid 2 "--jail needs --uid and --gid" --jail "$jail" --uid 1000
expect_error jail-err-relative 2 "--disk 'disk.img' must be an absolute path" --disk disk.img $J
expect_error jail-err-missing 1 "cannot bind disk '/nonexistent.img' into the jail: No such file or directory" \
	--disk /nonexistent.img $J
# The socket's directory must be writable by the jail's uid.
mkdir -p "$WORK/jail-rootctl"
expect_error jail-err-sockdir 1 "cannot create control socket '$WORK/jail-rootctl/ctl.sock': Permission denied" \
	--control "$WORK/jail-rootctl/ctl.sock" $J
# A disk the jail's uid may not write: tern does not chown it.
dd if=/dev/zero of="$WORK/jail-rootdisk.img" bs=1M count=1 2>/dev/null
chmod 644 "$WORK/jail-rootdisk.img"
expect_error jail-err-diskperm 1 "cannot open disk '$WORK/jail-rootdisk.img'" \
	--disk "$WORK/jail-rootdisk.img" $J
# Not root: busybox nsenter with no namespace named only changes ids. The
# test host's / is not searchable by others, so uid 1000 runs a copy of
# tern from a directory of its own, as ./tern from there (a relative path
# needs no search of /); it stops before it reads any file.
nonroot=$(mktemp -d /tmp/tern-nonroot.XXXXXX)
chmod 755 "$nonroot"
cp "$(command -v "$TERN")" "$nonroot/tern"
chmod 755 "$nonroot/tern"
if (cd "$nonroot" && nsenter -S 1000 -G 1000 ./tern --version) >/dev/null 2>"$WORK/jail-err-notroot.err"; then
	(cd "$nonroot" && nsenter -S 1000 -G 1000 ./tern run --kernel "$GUEST_KERNEL" $J \
		</dev/null >/dev/null 2>"$WORK/jail-err-notroot.err")
	echo $? >"$WORK/jail-err-notroot.rc"
	check jail-err-notroot "not root: exit 1 and '--jail needs root'" \
		sh -c "[ \"\$(cat '$WORK/jail-err-notroot.rc')\" = 1 ] && grep -q -- '--jail needs root' '$WORK/jail-err-notroot.err'"
else
	result skip jail-err-notroot "cannot run tern as uid 1000 here: $(head -n 1 "$WORK/jail-err-notroot.err")"
fi
rm -rf "$nonroot"
