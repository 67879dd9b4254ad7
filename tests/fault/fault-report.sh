#!/usr/bin/env bash
# fault-report.sh LXEMU PROG MODE: runs PROG MODE under lxemu --fault-report and
# checks that it dies of SIGSEGV and that the report names the instruction at
# the symbol fault_MODE as the faulting one.
set -u
lxemu=$1 prog=$2 mode=$3
want=$(nm "$prog" | awk -v s="fault_$mode" '$3 == s { print $1 }' | sed 's/^0*//')
[ -n "$want" ] || { echo "no symbol fault_$mode in $prog"; exit 1; }
out=$("$lxemu" --fault-report "$prog" "$mode" 2>&1)
status=$?
echo "$out"
[ "$status" -eq 139 ] || { echo "FAIL: exit status $status, want 139 (SIGSEGV)"; exit 1; }
echo "$out" | grep -A1 "^ faulting instruction:" | grep -q "=> 0x$want:" ||
	{ echo "FAIL: report does not name 0x$want (fault_$mode) as the faulting instruction"; exit 1; }
echo "ok: fault_$mode at 0x$want"
