/**
 * Kamailio in front of the workers (its dispatcher module): new calls spread by Call-ID hash over the workers
 * its OPTIONS probes (each second; two missed mark a worker down) find up, a first attempt with no answer in
 * 3 s (a busy machine may hold a live worker up for a second or two) or a 503 moves to the next worker,
 * Record-Route keeps every in-dialog request on Kamailio, and an in-dialog request whose worker does not
 * answer goes to a live one — which loads the call from the dialog store and carries it on.
 */
import { existsSync } from 'node:fs';

const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules',
  '/usr/lib/kamailio/modules',
];

/** Where Debian's kamailio package put its modules, if it is installed. */
export const kamailioModules = (): string | undefined => MODULE_DIRS.find((dir) => existsSync(dir));

export interface DispatcherOptions {
  readonly port: number;
  readonly modules: string;
  /** The dispatcher.list file (see dispatcherList). */
  readonly listFile: string;
  /** How long a worker may take to answer a request at all before the next one is tried (default 3000 ms). */
  readonly answerTimeoutMs?: number;
}

/** Set 1: one line per worker. */
export const dispatcherList = (workerPorts: ReadonlyArray<number>): string =>
  workerPorts.map((port) => `1 sip:127.0.0.1:${port}\n`).join('');

export const dispatcherConfig = (o: DispatcherOptions): string => `#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
listen=udp:127.0.0.1:${o.port}
alias="127.0.0.1:${o.port}"
mpath="${o.modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "dispatcher.so"
modparam("tm", "fr_timer", ${o.answerTimeoutMs ?? 3000})
modparam("dispatcher", "list_file", "${o.listFile}")
# Failover: the rest of the selected set is kept, for ds_next_dst() in the failure routes.
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "ds_ping_from", "sip:dispatcher@127.0.0.1:${o.port}")
modparam("dispatcher", "ds_ping_interval", 1)
modparam("dispatcher", "ds_probing_mode", 1)
# Two unanswered probes in a row mark a worker down (one may be lost to a busy moment); one answer brings it back.
modparam("dispatcher", "ds_probing_threshold", 2)
modparam("dispatcher", "ds_inactive_threshold", 1)

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { route(IN_DIALOG); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  t_check_trans();
  if (is_method("INVITE")) record_route();
  # Algorithm 0: a hash of the Call-ID over the workers marked up.
  if (!ds_select_dst("1", "0")) { sl_send_reply("503", "No Worker Available"); exit; }
  xlog("L_NOTICE", "new $rm $ci to $du\\n");
  t_on_failure("NEXT_WORKER");
  if (!t_relay()) sl_reply_error();
}

route[IN_DIALOG] {
  if (is_method("ACK")) { t_relay(); exit; }
  t_on_failure("DIALOG_ELSEWHERE");
  if (!t_relay()) sl_reply_error();
}

# The chosen worker did not answer (gone, or too busy) or refused (draining): the next one. The probes, not
# one slow answer, decide whether a worker is down.
failure_route[NEXT_WORKER] {
  if (t_is_canceled()) exit;
  if (t_branch_timeout() || t_check_status("503")) {
    if (ds_next_dst()) {
      xlog("L_NOTICE", "retry $rm $ci at $du\\n");
      t_on_failure("NEXT_WORKER");
      t_relay();
    }
  }
}

# The worker holding this dialog does not answer: a live worker loads the call from the store.
failure_route[DIALOG_ELSEWHERE] {
  if (t_is_canceled()) exit;
  if (t_branch_timeout() && ds_select_dst("1", "0")) {
    xlog("L_NOTICE", "dialog $rm $ci moves to $du\\n");
    t_on_failure("DIALOG_NEXT");
    t_relay();
  }
}

failure_route[DIALOG_NEXT] {
  if (t_is_canceled()) exit;
  if (t_branch_timeout() && ds_next_dst()) {
    xlog("L_NOTICE", "dialog $rm $ci moves to $du\\n");
    t_on_failure("DIALOG_NEXT");
    t_relay();
  }
}
`;
