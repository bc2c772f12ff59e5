#!/usr/bin/env bash
# Quick start: installs what is needed, builds, makes a demo district
# (上州区) with CurveZMQ keys, starts concord-hub, the six agency adapters (and
# the six organs of 上州市 above them, who review their answers) and
# the aid, ledger, risk and conference agents on 127.0.0.1, tells a demo story
# through their HTTP APIs and prints the hub's status table.
# The daemons keep running; ./deploy/stop.sh stops them.
#
# Every run tells the same story: the demo district's data is reset each run.
# After stopping the daemons of the last run, the quick start deletes the
# district's SQLite files (data/: messages, inboxes, ledger, aid records,
# conferences, demo accounts), drop folders (drop/), run/, logs/, the drill
# clock (drill/) and the report pages; it keeps the keys (keys/), the consoles'
# certificate (tls/) and the configs, and make-district.sh makes the demo
# accounts again. Keep nothing you need in var/district/data. It resets only
# var/district or a directory an earlier quick start made (CONCORD_DISTRICT_DIR).
#
# Each demo step checks its outcome, the refusals the story shows on purpose
# included (declared with `refused`: a step that then succeeds fails too). A
# step that goes otherwise, or gets no answer within CONCORD_DEMO_WAIT_SECONDS
# (30), stops the quick start with, on stderr,
#   演示步骤失败 / demo step failed: <step>: <what came back>
# and where the logs are, and a non-zero exit status.
# 快速开始：安装、编译、生成演示辖区、启动枢纽、区六个机关与市级六个上一级机关的适配器和四个代理，演示一遍。
# 每次运行都先清空演示辖区的数据（保留密钥、证书与配置），故每次演示相同；
# 任何一步结果不符即报错退出。
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUN="$DISTRICT_DIR/run"
LOGS="$DISTRICT_DIR/logs"
MARK="$DISTRICT_DIR/.quickstart-demo"   # this district was made by the quick start: its data may be reset
WAIT_S="${CONCORD_DEMO_WAIT_SECONDS:-30}"

step() { printf '\n== %s ==\n' "$*"; }

# The demo step under way (STEP) and how a step that goes otherwise ends the run.
STEP=""
REPORTED=0
DRILL_AHEAD=0
fail() {  # fail WHAT: the step under way did not go as the story says
  REPORTED=1
  printf '\n演示步骤失败 / demo step failed: %s: %s\n' "$STEP" "${1:-（无回应 / nothing came back）}" >&2
  printf '日志 / logs: %s    停止 / stop: ./deploy/stop.sh\n' "$LOGS" >&2
  exit 1
}
on_exit() {
  local rc=$?
  if [ "$DRILL_AHEAD" = 1 ]; then drill +0; fi   # whatever happens, the agent goes back to the system time
  if [ "$rc" != 0 ] && [ "$REPORTED" = 0 ] && [ -n "$STEP" ]; then
    printf '\n演示步骤失败 / demo step failed: %s: 中途退出 / stopped, exit status %s\n' "$STEP" "$rc" >&2
    printf '日志 / logs: %s    停止 / stop: ./deploy/stop.sh\n' "$LOGS" >&2
  fi
}
trap on_exit EXIT
# EXPECT is what the step under way must get: ok (the default) or refused.
refused() { EXPECT=refused "$@"; }   # refused HELPER ARGS...: the story shows this step being refused
outcome() {  # outcome OK WHAT: OK is true when the step was done; fails unless that is what EXPECT says
  if [ "${EXPECT:-ok}" = refused ]; then
    if [ "$1" = true ]; then fail "应被拒绝却已办理 / should have been refused, was done: $2"; fi
  elif [ "$1" != true ]; then
    fail "$2"
  fi
}
json_str() { grep -o "\"$1\": *\"[^\"]*\"" | head -1 | sed 's/.*: *"//; s/"$//' || true; }   # json_str KEY <<<JSON
json_val() { grep -o "\"$1\": *[0-9a-z]*" | head -1 | sed 's/.*: *//' || true; }               # numbers, true/false

step "1/8 安装依赖 / installing dependencies"
"$ROOT/deploy/install-deps.sh"

step "2/8 编译 / building"
build_concord

step "3/8 重置演示数据，生成辖区配置与密钥 / resetting the demo data; district config and keys"
"$ROOT/deploy/stop.sh" --quiet ||
  { echo "上次的守护进程未能停止，不重置 / the last run's daemons did not stop; not resetting" >&2; exit 1; }
reset_demo_data() {  # the last run's data go, the keys, certificate and configs stay
  local d="$DISTRICT_DIR"
  [ -d "$d" ] || return 0
  if [ -d "$d/data" ] && [ ! -f "$MARK" ] &&
     [ "$(cd "$d" && pwd -P)" != "$(cd "$ROOT/var/district" 2>/dev/null && pwd -P || true)" ]; then
    echo "拒绝重置 / $d has data and was not made by the quick start: not resetting it" >&2
    echo "  (choose another CONCORD_DISTRICT_DIR, or delete its data/ yourself)" >&2
    exit 1
  fi
  rm -rf "$d/data" "$d/drop" "$d/run" "$d/logs" "$d/drill"
  rm -f "$d"/report-*.html "$d/plan-demo.html"
  echo "演示数据已清空（密钥、证书与配置保留）/ demo data reset (keys, certificate and configs kept): $d"
}
reset_demo_data
CONCORD_DEMO_DRILL=1 "$ROOT/deploy/make-district.sh" "$DISTRICT_DIR"   # with the conference agent's drill clock
touch "$MARK"
# The daemons' logs name petitioners and agencies: readable by this user only
# (0600 in 0700 folders), as the daemons keep their databases (issue 16).
umask 077
mkdir -p "$RUN" "$LOGS" "$DISTRICT_DIR/data"
chmod 0700 "$RUN" "$LOGS" "$DISTRICT_DIR/data"

wait_ready() {  # wait_ready FILE PID NAME
  for _ in $(seq 1 200); do
    [ -f "$1" ] && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "启动失败 / $3 failed to start; last log lines:" >&2
      tail -n 20 "$LOGS/$3.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  echo "启动超时 / $3 did not become ready" >&2
  exit 1
}

start() {  # start NAME ARGS...
  local name="$1"; shift
  rm -f "$RUN/$name.ready"
  setsid nohup "$@" --ready-file "$RUN/$name.ready" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
  wait_ready "$RUN/$name.ready" "$(cat "$RUN/$name.pid")" "$name"
}

step "4/8 启动枢纽、十二个机关适配器（区六家、市级上一级机关六家）与四个代理 / starting the hub, twelve adapters (the district's six, the city's six above them), the aid, ledger, risk and conference agents"
start hub "$BIN/concord-hub" --config "$DISTRICT_DIR/hub.toml"
echo "枢纽 / hub: tcp://127.0.0.1:$HUB_PORT   metrics: http://127.0.0.1:$HUB_HTTP_PORT/metrics"
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display _ off _ <<<"$a"
  start "$name" "$BIN/concord-adapter" --config "$DISTRICT_DIR/$name.toml"
  echo "适配器 / adapter $display ($DISTRICT.$name): http://127.0.0.1:$((ADAPTER_BASE_PORT + off))/health"
done

start aid "$BIN/concord-aid-agent" --config "$DISTRICT_DIR/aid.toml"
echo "救助代理 / aid agent ($DISTRICT.agent.aid): http://127.0.0.1:$AID_HTTP_PORT/health"
start ledger "$BIN/concord-ledger-agent" --config "$DISTRICT_DIR/ledger.toml"
echo "台账代理 / ledger agent ($DISTRICT.agent.ledger): http://127.0.0.1:$LEDGER_HTTP_PORT/ledger/open"
start risk "$BIN/concord-risk-agent" --config "$DISTRICT_DIR/risk.toml"
echo "风险代理 / risk agent ($DISTRICT.agent.risk): http://127.0.0.1:$RISK_HTTP_PORT/risk/open"
start conference "$BIN/concord-conference-agent" --config "$DISTRICT_DIR/conference.toml"
echo "联席会议代理 / conference agent ($DISTRICT.agent.conference): http://127.0.0.1:$CONFERENCE_HTTP_PORT/health"

# waited QUERY...: true once the command QUERY succeeds, within WAIT_S seconds.
waited() {
  local end=$((SECONDS + WAIT_S))
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}
# Wait until every adapter has said Hello (so topic subscriptions exist).
connected() { api_curl -sf "http://127.0.0.1:$1/health" | grep -q '"connected": *true'; }
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name _ _ off _ <<<"$a"
  STEP="$name 连接枢纽 / connects to the hub"
  waited connected $((ADAPTER_BASE_PORT + off)) ||
    fail "${WAIT_S} 秒内未连接 / not connected within ${WAIT_S} s: $(api_curl -sS "http://127.0.0.1:$((ADAPTER_BASE_PORT + off))/health" 2>&1 || true)"
done

step "5/8 演示消息 / a round of messages"
port_of() {
  for a in "${AGENCIES[@]}"; do
    IFS='|' read -r n _ _ off _ <<<"$a"
    if [ "$n" = "$1" ]; then echo $((ADAPTER_BASE_PORT + off)); fi
  done
}
send() {  # send FROM TO SUBJECT BODY
  local port out
  STEP="send $1 -> $2"
  port="$(port_of "$1")"
  out=$(api_curl -sS -X POST "http://127.0.0.1:$port/publish" -H 'Content-Type: application/json' \
    --data "{\"to\": [\"$2\"], \"type\": \"concord.v1.TextNote\", \"payload\": {\"subject\": \"$3\", \"body\": \"$4\"}}" 2>&1 || true)
  printf '  %-14s -> %-26s %s\n' "$1" "$2" "$out"
  outcome "$([ -n "$(json_str id <<<"$out")" ] && echo true)" "$out"
}
send petition "topic:district" "通知" "本周五召开联席会议筹备会 / joint meeting prep on Friday"
send procuratorate "$DISTRICT.court" "案件协查" "请协助调取(2026)上刑初12号案卷 / please share case file"
send police "$DISTRICT.justice" "司法救助" "被害人家庭困难，建议启动救助 / victim needs aid"
send plc "role:agency" "督办" "请各单位报送本月隐患排查情况 / monthly risk screening due"
send court "$DISTRICT.petition" "答复" "来信已转办 / the letter has been forwarded"

step "6/8 司法救助：查重与申请办理 / judicial aid: two agencies, one victim, one case; an application over the cap, then granted"
grant() {  # grant AGENCY VERDICT JSON: prints the aid agent's verdict, which must be VERDICT
  local port rid out reply="" status=""
  port="$(port_of "$1")"
  rid="$(json_str record_id <<<"$3")"
  STEP="grant $1 $rid"
  out="$(api_curl -sS -X POST "http://127.0.0.1:$port/aid/grants" -H 'Content-Type: application/json' --data "$3" 2>&1 || true)"
  grep -q '"status": *"checking"' <<<"$out" || fail "未受理 / not taken: $out"
  checked() {
    reply="$(api_curl -sf "http://127.0.0.1:$port/aid/grants?record_id=$rid" || true)"
    status="$(json_str status <<<"$reply")"
    [ -n "$status" ] && [ "$status" != checking ]
  }
  waited checked || fail "${WAIT_S} 秒内未查重 / no verdict within ${WAIT_S} s: $reply"
  printf '  %-14s 记录 %-12s -> %s\n' "$1" "$rid" "$status"
  grep -o '"reasons": *\[[^]]*\]' <<<"$reply" | head -3 | sed 's/^/      /' || true
  [ "$status" = "$2" ] || fail "查重结果应为 / the verdict should be $2: $reply"
}
# The same victim, written differently by two offices: 张伟 / 張 偉 (traditional,
# a space), the ID number missing at the second, the phone with +86.
grant court clear '{"record_id": "FY-2026-031", "name": "张伟", "id_number": "11010519491231002X", "gender": "男", "phone": "13800138000", "address": "上州区城关镇解放路12号", "case_ref": "（2026）上0102刑初45号", "incident_date": "2026-03-05", "crime": "故意伤害", "aid_type": "资金救助", "amount_yuan": "20000", "granted_on": "2026-06-01"}'
grant procuratorate duplicate '{"record_id": "JC-2026-112", "name": "張 偉", "id_number": "", "birth_date": "1949-12-31", "gender": "男", "phone": "+86 138-0013-8000", "address": "上州区城关镇解放路12号", "case_ref": "(2026)上0102刑初45号", "incident_date": "2026-03-05", "crime": "故意伤害", "aid_type": "money", "amount_yuan": "15000", "granted_on": "2026-07-10"}'
echo "  法院收到的提示 / the court's notice:"
STEP="the court's duplicate notice"
court_notice() { api_curl -sf "http://127.0.0.1:$(port_of court)/aid/notices" | grep -q '"other_record_id": *"JC-2026-112"'; }
waited court_notice || fail "法院未收到查重提示 / no notice at the court: $(api_curl -sS "http://127.0.0.1:$(port_of court)/aid/notices" 2>&1 || true)"
api_curl -sf "http://127.0.0.1:$(port_of court)/aid/notices" | grep -o '"other_agency": *"[^"]*"\|"other_record_id": *"[^"]*"\|"your_record_id": *"[^"]*"' | awk '!seen[$0]++' | sed 's/^/      /' || true

# The aid procedure (docs/aid.md): the police receive the joint application
# of a deceased victim's relatives; 400,000 yuan is over the cap (36 x the
# province's 2025 average wage in deploy's [aid.wages]): 超出上限, nothing
# decided; 200,000 is granted. The deadlines run on the district calendar.
aidstep() {  # aidstep AGENCY PATH JSON STATE: the aid agent's answer to one step must be STATE
  local port out step what reply="" state=""
  port="$(port_of "$1")"
  what="$(json_str action <<<"$3")"
  [ -n "$what" ] || what=apply
  STEP="aid application step at $1: $what"
  out="$(api_curl -sS -X POST "http://127.0.0.1:$port$2" -H 'Content-Type: application/json' --data "$3" 2>&1 || true)"
  step="$(json_str step <<<"$out")"
  [ -n "$step" ] || fail "未受理 / not taken: $out"
  answered() {
    reply="$(api_curl -sf "http://127.0.0.1:$port/aid/applications/step?id=$step" || true)"
    state="$(json_str state <<<"$reply")"
    [ -n "$state" ] && [ "$state" != sent ]
  }
  waited answered || fail "${WAIT_S} 秒内无答复 / no answer within ${WAIT_S} s: $reply"
  printf '  %-14s %-20s -> %s %s\n' "$1" "$what" "$state" "$(json_str status <<<"$reply")"
  [ "$state" = ok ] || printf '      %s\n' "$(json_str error <<<"$reply")"
  [ "$state" = "$4" ] || fail "应为 / should be $4: $reply"
}
aidstep police /aid/applications '{"application_id": "GA-救申-001", "deceased_victim": true, "complete": true, "victim": {"name": "刘振华", "id_number": "610102197802150017"}, "applicants": [{"name": "陈淑芬", "relation": "配偶"}, {"name": "刘洋", "relation": "子女"}], "case_ref": "上公刑立字〔2026〕118号", "crime": "交通肇事", "materials": ["救助申请书", "死亡证明", "亲属关系证明"]}' ok
aidstep police /aid/applications/act '{"application_id": "GA-救申-001", "action": "grant", "amount_yuan": "400000", "grounds": "被害人死亡，肇事者无赔偿能力，近亲属生活困难"}' refused
aidstep police /aid/applications/act '{"application_id": "GA-救申-001", "action": "grant", "amount_yuan": "200000", "grounds": "被害人死亡，肇事者无赔偿能力，近亲属生活困难"}' ok

step "7/8 信访台账演示 / the petition ledger: one petition across two agencies and up to the city for review, one overdue"
LEDGER="$DISTRICT.agent.ledger"
publish_wait() {  # publish_wait TO AGENCY TYPE PAYLOAD: REPLY_JSON := the reply to it in AGENCY's inbox (one line)
  local port out id
  port="$(port_of "$2")"
  REPLY_JSON=""
  out=$(api_curl -sS -X POST "http://127.0.0.1:$port/publish" -H 'Content-Type: application/json' \
    --data "{\"to\": [\"$1\"], \"type\": \"$3\", \"payload\": $4}" 2>&1 || true)
  id="$(json_str id <<<"$out")"
  [ -n "$id" ] || fail "未发出 / not sent: $out"
  replied() {
    REPLY_JSON="$(api_curl -sf "http://127.0.0.1:$port/inbox?limit=1000" | tr -d '\n' |
                  grep -o "\"correlation_id\": *\"$id\"[^}]*}" | head -1 || true)"
    [ -n "$REPLY_JSON" ]
  }
  waited replied || fail "${WAIT_S} 秒内没有回复 / no reply within ${WAIT_S} s to message $id"
}
ask() { publish_wait "$LEDGER" "$@"; }  # ask AGENCY TYPE PAYLOAD: REPLY_JSON := the ledger agent's reply
act() {  # act AGENCY LEDGER_NO ACTION NOTE [TO_AGENCY]   (accept: DEPT=... HANDLER=... act ...)
  local said
  STEP="act $1 $3 $2"
  ask "$1" concord.v1.PetitionAct "{\"ledger_no\": \"$2\", \"action\": \"$3\", \"note\": \"$4\", \"to_agency\": \"${5:-}\", \"department\": \"${DEPT:-}\", \"handler\": \"${HANDLER:-}\"}"
  said="$(grep -o '"ok": *[a-z]*\|"status": *"[^"]*"\|"reason": *"[^"]*"' <<<"$REPLY_JSON" | tr '\n' ' ')"
  printf '  %-14s %-18s -> %s\n' "$1" "$3" "$said"
  outcome "$(json_val ok <<<"$REPLY_JSON")" "$said"
}
register() {  # register INTAKE_ID PAYLOAD: NO := the ledger number the petition office got
  STEP="register $1"
  ask petition concord.v1.PetitionRegister "$2"
  NO="$(json_str ledger_no <<<"$REPLY_JSON")"
  [ "$(json_val ok <<<"$REPLY_JSON")" = true ] && [ -n "$NO" ] || fail "$REPLY_JSON"
}
now_ms=$(( $(date +%s) * 1000 ))
register XF-DEMO-1 "{\"intake_id\": \"XF-DEMO-1\", \"channel\": \"letter\", \"received_ms\": $now_ms, \"petitioner\": \"李某\", \"contact\": \"13900000001\", \"matter\": \"对公安机关不立案决定不服\", \"people\": 1}"
no="$NO"
echo "  信访局登记 / registered at the petition office: $no"
act petition "$no" start_review "当日审查"
refused act petition "$no" close "（演示：不允许的操作 / a forbidden step）"
act petition "$no" transfer "属检察机关立案监督事项，已告知信访人" "$DISTRICT.procuratorate"
act procuratorate "$no" start_review "当日审查"
DEPT=控告申诉部门 HANDLER=王检察官 act procuratorate "$no" accept "当日受理"
act procuratorate "$no" procedural_reply "电话告知已受理及办理期限"
act procuratorate "$no" start_work "调阅案卷"
act procuratorate "$no" substantive_reply "书面答复：已要求公安机关说明不立案理由"
echo "  信访人不服，向上一级机关请求复查（《信访工作条例》第三十五条）/ the petitioner asks the organ above for review:"
refused act procuratorate "$no" review_opinion "（演示：原办理机关不能自行复查 / the answering agency does not review itself）"
act city-procuratorate "$no" request_review "不服答复，请求复查"
act city-procuratorate "$no" review_opinion "复查意见：原答复正确，予以维持"
act city-procuratorate "$no" close "信访人表示息诉罢访"
old=$(( now_ms - 30 * 86400 * 1000 ))
register XF-DEMO-2 "{\"intake_id\": \"XF-DEMO-2\", \"channel\": \"visit\", \"received_ms\": $old, \"petitioner\": \"赵某等6人\", \"contact\": \"13900000002\", \"matter\": \"拖欠工资集体访\", \"people\": 6}"
no2="$NO"
echo "  30 天前收到、未在 15 日内转送交办 / received 30 days ago, not transferred within 15 days: $no2 (集体访 group petition)"
STEP="escalation of $no2"
escalated() { api_curl -sf "http://127.0.0.1:$(port_of petition)/inbox?limit=1000" | grep -q '"kind": *"escalation"'; }
waited escalated || fail "${WAIT_S} 秒内信访局未收到督办 / no escalation at the petition office within ${WAIT_S} s"
echo "  期限提醒与督办 / the deadline clock's alerts at the petition office:"
api_curl -sf "http://127.0.0.1:$(port_of petition)/inbox?limit=1000" | tr -d '\n' |
  grep -o '"kind": *"[a-z]*"[^}]*"text": *"[^"]*"' | sed 's/"kind": *"\([a-z]*\)".*"text": *"\([^"]*\)"/      [\1] \2/' | head -6 || true
echo "  信访局批量导入 / the petition office drops a CSV (Chinese headers, one bad row):"
STEP="CSV import"
drop="$DISTRICT_DIR/drop/petition/petitions"
mkdir -p "$drop"
today="$(TZ=Asia/Shanghai date +%Y-%m-%d)"
printf '登记编号,渠道,收到时间,信访人,联系方式,信访事项,人数\nXF-CSV-1,电话,%s 09:10,孙某,13500000001,咨询申诉程序,1\nXF-CSV-2,飞鸽,%s 09:40,吴某,13500000002,不服判决,1\nXF-CSV-3,来信,%s 10:05,郑某,13500000003,反映执行难,1\n' \
  "$today" "$today" "$today" > "$drop/.incoming.csv"
mv "$drop/.incoming.csv" "$drop/demo-$today.csv"
report="$drop/done/demo-$today.csv.report.csv"
waited test -f "$report" || fail "${WAIT_S} 秒内未生成导入报告 / no import report within ${WAIT_S} s $(cat "$drop"/failed/*.errors.txt 2>/dev/null | tr '\n' ' ' || true)"
sed 's/^/      /' "$report"
bad_rows="$(tail -n +2 "$report" | cut -d, -f1 | tr '\n' ' ')"   # the story: line 3 (飞鸽, no such channel) only
[ "$bad_rows" = "3 " ] || fail "导入报告应只拒绝第 3 行 / the report should refuse line 3 only: $(tr '\n' ' ' <"$report")"
sleep 1
echo
STEP="concordctl ledger"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/ledger.api-token" ledger --ledger-http "127.0.0.1:$LEDGER_HTTP_PORT" || fail "concordctl ledger: exit status $?"

echo
echo "  检察长接待日 / the chief procurator's reception day:"
request() {  # request AGENCY PATH JSON: prints the ledger's answer to it, which must be done (or refused: EXPECT)
  local port out id r="" status said
  port="$(port_of "$1")"
  STEP="$1 $2"
  out="$(api_curl -sS -X POST "http://127.0.0.1:$port$2" -H 'Content-Type: application/json' --data "$3" 2>&1 || true)"
  id="$(json_str id <<<"$out")"
  if [ -z "$id" ]; then printf '  %-14s %-20s -> %s\n' "$1" "$2" "$out"; outcome false "$out"; return 0; fi
  answered() {
    r="$(api_curl -sf "http://127.0.0.1:$port/ledger/requests?id=$id" || true)"
    status="$(json_str status <<<"$r")"
    [ -n "$status" ] && [ "$status" != sent ]
  }
  waited answered || fail "${WAIT_S} 秒内台账未答复 / no answer from the ledger within ${WAIT_S} s: $r"
  said="$(grep -o '"status": *"[^"]*"\|"reason": *"[^"]*"' <<<"$r" | tr '\n' ' ')"
  printf '  %-14s %-20s -> %s\n' "$1" "$2" "$said"
  outcome "$([ "$status" = "done" ] && echo true)" "$said"
}
day="$(TZ=Asia/Shanghai date -d '+7 days' +%Y-%m-%d)"
request procuratorate /reception/slots "{\"slot_id\": \"JCZ-DEMO\", \"host\": \"检察长 周某\", \"place\": \"12309检察服务中心\", \"starts\": \"$day 09:00\", \"ends\": \"$day 12:00\", \"capacity\": 6}"
request petition /reception/bookings "{\"booking_id\": \"YY-DEMO-1\", \"slot_id\": \"JCZ-DEMO\", \"petitioner\": \"陈某\", \"contact\": \"13600000000\", \"matter\": \"申请检察机关监督民事判决执行\"}"
echo "  信访局看到的接待日 / the slot as the petition office sees it:"
STEP="the reception slot at the petition office"
slots() { api_curl -sf "http://127.0.0.1:$(port_of petition)/reception/slots" | tr -d '\n'; }
booked() { slots | grep -q '"booked": *1[^0-9]'; }
waited booked || fail "${WAIT_S} 秒内未见预约 / the booking is not in the petition office's view: $(slots || true)"
slots | grep -o '"host": *"[^"]*"\|"booked": *[0-9]*\|"capacity": *[0-9]*\|"starts": *"[^"]*"' | tr '\n' ' ' | sed 's/^/      /'
echo
echo "  （接待当天由检察院记录接待情况，当场提出的信访自动登记入台账 / on the day the procuratorate"
echo "   records the outcome: POST /reception/outcomes {\"register\": true} puts the petition in the ledger）"
request police /incidents "{\"incident_id\": \"SJ-DEMO-1\", \"kind\": \"投诉\", \"note\": \"演示：群众投诉接待态度\"}"
echo
STEP="concordctl ledger --report"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/ledger.api-token" ledger --ledger-http "127.0.0.1:$LEDGER_HTTP_PORT" --report "$(TZ=Asia/Shanghai date +%Y-%m)" \
  --html "$DISTRICT_DIR/report-$(TZ=Asia/Shanghai date +%Y-%m).html" || fail "concordctl ledger --report: exit status $?"
echo "  月报网页 / the report as a page: $DISTRICT_DIR/report-$(TZ=Asia/Shanghai date +%Y-%m).html"

echo
echo "  风险评估预警 / risk assessment: each item the ledger changes is assessed (deploy/risk/factors.toml);"
echo "  the overdue wage group petition rose to red and was reported to the political-legal committee:"
STEP="concordctl risk"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/risk.api-token" risk --risk-http "127.0.0.1:$RISK_HTTP_PORT" || fail "concordctl risk: exit status $?"
echo "  政法委收到的预警 / the warning at the political-legal committee:"
STEP="the risk warning at the political-legal committee"
warned() { api_curl -sf "http://127.0.0.1:$(port_of plc)/inbox?limit=1000" | grep -q '"text": *"风险预警'; }
waited warned || fail "${WAIT_S} 秒内政法委未收到预警 / no risk warning at the committee within ${WAIT_S} s"
api_curl -sf "http://127.0.0.1:$(port_of plc)/inbox?limit=1000" | tr -d '\n' |
  grep -o '"conference_proposed": *[a-z]*\|"text": *"风险预警[^"]*"' | sed 's/^/      /' | head -4 || true


step "8/8 重大群体案件联合化解 / joint work on a group case: thirty workers, unpaid wages, a criminal case behind it"
CONF="$DISTRICT.agent.conference"
confask() {  # confask AGENCY TYPE PAYLOAD: prints the conference agent's reply (ok, or refused: EXPECT)
  local said
  STEP="$1 ${2#concord.v1.}"
  publish_wait "$CONF" "$@"
  said="$(grep -o '"ok": *[a-z]*\|"version": *[0-9]*\|"status": *"[^"]*"\|"reason": *"[^"]*"' <<<"$REPLY_JSON" | tr '\n' ' ')"
  printf '  %-14s %-22s -> %s\n' "$1" "${2#concord.v1.}" "$said"
  CONF_ID="$(json_str conference_id <<<"$REPLY_JSON")"
  outcome "$(json_val ok <<<"$REPLY_JSON")" "$said"
}
ms_in_days() { echo $(( ( $(date +%s) + $1 * 86400 ) * 1000 )); }
CASE30="（2026）上0102刑初88号"
register XF-DEMO-30 "{\"intake_id\": \"XF-DEMO-30\", \"channel\": \"visit\", \"received_ms\": $(( $(date +%s) * 1000 )), \"petitioner\": \"孙某等三十名工人\", \"contact\": \"13600000030\", \"matter\": \"三十名工人被拖欠工资集体访，公安已立案侦查拒不支付劳动报酬案\", \"case_ref\": \"$CASE30\", \"people\": 30}"
no30="$NO"
echo "  信访局登记三十人集体访 / the petition office registers the group visit: $no30"
STEP="risk assessment of $no30"
risk_of() { api_curl -sfG "http://127.0.0.1:$RISK_HTTP_PORT/risk/case" --data-urlencode "key=$no30" | tr -d '\n'; }
red() { risk_of | grep -q '"level": *"red"'; }
waited red || fail "${WAIT_S} 秒内未评为红色 / not red within ${WAIT_S} s: $(risk_of || true)"
risk_of | grep -o '"level_zh": *"[^"]*"\|"score": *[0-9]*\|"name": *"[^"]*"' | tr '\n' ' ' | sed 's/^/  风险评估 \/ risk: /'
echo
echo "  → 红色预警已报政法委，提议召开联席会议 / red: the committee is warned, a joint conference proposed"

all="\"$DISTRICT.plc\", \"$DISTRICT.court\", \"$DISTRICT.police\", \"$DISTRICT.justice\", \"$DISTRICT.petition\""
confask procuratorate concord.v1.ConferenceConvene "{\"request_id\": \"LX-DEMO-30\", \"case_key\": \"$no30\", \"case_refs\": [\"$CASE30\"], \"title\": \"三十名工人欠薪集体访联席会议\", \"invited\": [$all], \"inputs_due_ms\": \"$(ms_in_days 2)\", \"case_file\": \"三十名工人被拖欠工资，公安已立案侦查；部分工人生活困难\", \"case_file_for\": {\"$DISTRICT.court\": \"执行案件材料（仅法院）\"}}"
cid="$CONF_ID"
[ -n "$cid" ] || fail "没有会议编号 / no conference id: $REPLY_JSON"
echo "  联席会议 / conference: $cid"
confask police concord.v1.ConferenceInput "{\"conference_id\": \"$cid\", \"assessment\": \"已立案侦查，公司法定代表人在逃\", \"measures\": [{\"measure\": \"investigation\", \"detail\": \"追查欠薪款去向\"}]}"
confask justice concord.v1.ConferenceInput "{\"conference_id\": \"$cid\", \"assessment\": \"工人缺乏法律帮助\", \"measures\": [{\"measure\": \"法律援助\", \"detail\": \"指派律师代理劳动仲裁\"}]}"
confask court concord.v1.ConferenceInput "{\"conference_id\": \"$cid\", \"assessment\": \"已有财产保全\", \"measures\": [{\"measure\": \"enforcement\", \"detail\": \"执行保全财产\"}]}"
confask procuratorate concord.v1.ConferenceInput "{\"conference_id\": \"$cid\", \"assessment\": \"部分工人生活困难\", \"measures\": [{\"measure\": \"司法救助\", \"detail\": \"困难工人国家司法救助\"}, {\"measure\": \"public_hearing\", \"detail\": \"公开听证\"}]}"
plan30="{\"conference_id\": \"$cid\", \"summary\": \"某建筑公司拖欠三十名工人工资，公安已立案侦查拒不支付劳动报酬案\", \"core_demand\": \"尽快拿到工资\", \"risk_level\": \"红色\", \"lead_leader\": \"检察长 周某\", \"closing_criteria\": \"工资兑付，工人签订息诉罢访协议\", \"follow_ups_ms\": [\"$(ms_in_days 30)\"], \"tasks\": [{\"task_id\": \"T1\", \"agency\": \"$DISTRICT.police\", \"person\": \"刘警官\", \"measure\": \"investigation\", \"detail\": \"追查欠薪款去向\", \"due_ms\": \"$(ms_in_days 10)\"}, {\"task_id\": \"T2\", \"agency\": \"$DISTRICT.justice\", \"person\": \"王律师\", \"measure\": \"legal_aid\", \"detail\": \"代理劳动仲裁\", \"due_ms\": \"$(ms_in_days 7)\"}, {\"task_id\": \"T3\", \"agency\": \"$DISTRICT.procuratorate\", \"person\": \"张检察官\", \"measure\": \"judicial_aid\", \"detail\": \"困难工人国家司法救助\", \"due_ms\": \"$(ms_in_days 14)\"}, {\"task_id\": \"T4\", \"agency\": \"$DISTRICT.court\", \"person\": \"陈法官\", \"measure\": \"enforcement\", \"detail\": \"执行保全财产兑付工资\", \"due_ms\": \"$(ms_in_days 20)\"}]}"
confask procuratorate concord.v1.ConferencePlan "$plan30"
for a in procuratorate plc court police justice; do
  confask "$a" concord.v1.ConferenceSign "{\"conference_id\": \"$cid\", \"version\": 1, \"approve\": true}"
done
confask petition concord.v1.ConferenceSign "{\"conference_id\": \"$cid\", \"version\": 1, \"approve\": false, \"note\": \"请明确回访由信访局负责\"}"
confask procuratorate concord.v1.ConferencePlan "${plan30%]\}}, {\"task_id\": \"T5\", \"agency\": \"$DISTRICT.petition\", \"person\": \"李科长\", \"measure\": \"other\", \"detail\": \"工资兑付后回访\", \"due_ms\": \"$(ms_in_days 25)\"}]}"
for a in procuratorate plc court police justice petition; do
  confask "$a" concord.v1.ConferenceSign "{\"conference_id\": \"$cid\", \"version\": 2, \"approve\": true}"
done
echo "  公开听证（提前三日通知）/ a public hearing, notified three days ahead:"
confask procuratorate concord.v1.HearingSchedule "{\"conference_id\": \"$cid\", \"hearing_id\": \"听-DEMO-30\", \"starts_ms\": \"$(( $(TZ=Asia/Shanghai date -d "+4 days 09:30" +%s) * 1000 ))\", \"place\": \"上州区人民检察院听证室\", \"chair\": \"承办检察官 张某\", \"participants\": [{\"role\": \"信访人\", \"name\": \"工人代表 孙某\"}, {\"role\": \"人大代表\", \"name\": \"钱某\"}, {\"role\": \"人民监督员\", \"name\": \"赵某\"}, {\"role\": \"律师\", \"arranged_by\": \"$DISTRICT.justice\"}]}"
echo "  司法局依律师参与化解机制指派律师 / the justice bureau names the lawyer (律师参与化解):"
confask justice concord.v1.HearingNominee "{\"hearing_id\": \"听-DEMO-30\", \"role\": \"律师\", \"name\": \"王律师\"}"
echo "  听证后记录（演练：会议代理时钟拨快五天，记录后复原）/ after the hearing (drill: the conference"
echo "  agent's clock runs five days ahead to record it, then returns to the system time):"
drill() {  # drill OFFSET: the conference agent's clock, OFFSET ms from the system time (written atomically)
  echo "$1" > "$DISTRICT_DIR/drill/conference.clock.tmp" && mv "$DISTRICT_DIR/drill/conference.clock.tmp" "$DISTRICT_DIR/drill/conference.clock"
}
DRILL_AHEAD=1   # on_exit puts the clock back, whatever happens
drill "+$(( 5 * 86400 * 1000 ))"
confask procuratorate concord.v1.HearingRecord "{\"hearing_id\": \"听-DEMO-30\", \"attendance\": [{\"name\": \"工人代表 孙某\", \"attended\": true, \"opinion\": \"希望尽快拿到工资\"}, {\"name\": \"钱某\", \"attended\": true, \"opinion\": \"建议先行司法救助困难工人\"}, {\"name\": \"赵某\", \"attended\": true, \"opinion\": \"同意化解方案\"}, {\"name\": \"王律师\", \"attended\": false}], \"outcome\": \"听证员一致同意化解方案，工人代表接受\"}"
drill +0
DRILL_AHEAD=0
echo "  司法救助任务须先查重 / the aid task runs the duplicate check:"
grant court clear "{\"record_id\": \"FY-DEMO-30\", \"name\": \"赵大勇\", \"id_number\": \"110105194912310021\", \"phone\": \"13900000030\", \"case_ref\": \"$CASE30\", \"incident_date\": \"2026-05-01\", \"crime\": \"拒不支付劳动报酬\", \"aid_type\": \"资金救助\", \"amount_yuan\": \"6000\", \"granted_on\": \"2026-09-01\"}"
grant procuratorate duplicate "{\"record_id\": \"JC-DEMO-30\", \"name\": \"趙大勇\", \"id_number\": \"\", \"phone\": \"+86 139 0000 0030\", \"case_ref\": \"$CASE30\", \"incident_date\": \"2026-05-01\", \"crime\": \"拒不支付劳动报酬\", \"aid_type\": \"money\", \"amount_yuan\": \"8000\", \"granted_on\": \"2026-10-01\"}"
refused confask procuratorate concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T3\", \"note\": \"拟发放救助金\", \"done\": true, \"aid_record_id\": \"JC-DEMO-30\"}"
grant procuratorate clear "{\"record_id\": \"JC-DEMO-31\", \"name\": \"钱小军\", \"id_number\": \"440524188001010014\", \"phone\": \"13700000031\", \"case_ref\": \"$CASE30\", \"incident_date\": \"2026-05-01\", \"crime\": \"拒不支付劳动报酬\", \"aid_type\": \"money\", \"amount_yuan\": \"8000\", \"granted_on\": \"2026-10-01\"}"
confask procuratorate concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T3\", \"note\": \"已向困难工人钱小军发放救助金\", \"done\": true, \"aid_record_id\": \"JC-DEMO-31\"}"
echo "  包案领导视图 / the lead leader's view (检察长督办):"
STEP="concordctl conference --leader"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/conference.api-token" conference --conference-http "127.0.0.1:$CONFERENCE_HTTP_PORT" --leader "检察长 周某" | sed 's/^/      /' ||
  fail "concordctl conference --leader: exit status $?"
confask police concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T1\", \"note\": \"追回欠薪款 42 万元\", \"done\": true}"
confask justice concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T2\", \"note\": \"仲裁裁决支持工人请求\", \"done\": true}"
confask court concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T4\", \"note\": \"工资已全部兑付\", \"done\": true}"
refused confask procuratorate concord.v1.ConferenceClose "{\"conference_id\": \"$cid\", \"outcome\": \"（演示：第5项回访未完成，不能结案）\"}"
confask petition concord.v1.ConferenceTaskUpdate "{\"conference_id\": \"$cid\", \"task_id\": \"T5\", \"note\": \"回访：工人满意\", \"done\": true}"
confask procuratorate concord.v1.ConferenceClose "{\"conference_id\": \"$cid\", \"outcome\": \"工资已全部兑付，三十名工人签订息诉罢访协议\"}"
HANDLER=张检察官 DEPT=控告申诉部门 act petition "$no30" start_review "当日审查"
for s in "accept:转检察院牵头化解" "procedural_reply:当面告知受理" "start_work:联席会议化解" "substantive_reply:书面答复化解结果" "close:息诉罢访"; do
  DEPT=信访科 HANDLER=李科长 act petition "$no30" "${s%%:*}" "${s#*:}"
done
STEP="concordctl conference --id $cid"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/conference.api-token" conference --conference-http "127.0.0.1:$CONFERENCE_HTTP_PORT" --id "$cid" | sed 's/^/      /' ||
  fail "concordctl conference --id: exit status $?"
"$BIN/concordctl" --token-file "$DISTRICT_DIR/keys/conference.api-token" conference --conference-http "127.0.0.1:$CONFERENCE_HTTP_PORT" --id "$cid" \
  --html "$DISTRICT_DIR/plan-demo.html" >/dev/null || fail "concordctl conference --html: exit status $?"
echo "  化解方案（六家会签，任务与听证，结案）/ the plan, signed by all six, tasks, hearing, closing: $DISTRICT_DIR/plan-demo.html"

STEP="concordctl status"
"$BIN/concordctl" status --hub-http "127.0.0.1:$HUB_HTTP_PORT" --wait-drained 20 >/dev/null || fail "concordctl status: exit status $?"
echo
"$BIN/concordctl" status --hub-http "127.0.0.1:$HUB_HTTP_PORT" || fail "concordctl status: exit status $?"
STEP=""   # the story is told
echo
field() { grep -o "\"$1\": *[0-9a-z]*" | head -1 | sed 's/.*: *//'; }
echo "各机关适配器 / adapters:"
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display _ off _ <<<"$a"
  h="$(api_curl -sf "http://127.0.0.1:$((ADAPTER_BASE_PORT + off))/health" || true)"
  printf '  %s  在线 connected=%s  收到 received=%s  未读 unread=%s  已发 published=%s  待发 outbox=%s\n' \
    "$(printf '%-18s' "$name")" "$(field connected <<<"$h")" "$(field received <<<"$h")" \
    "$(field inbox_unread <<<"$h")" "$(field published <<<"$h")" "$(field outbox <<<"$h")"
done
echo
echo "各机关网页控制台 / the agencies' web consoles (自签名证书，浏览器提示时选择继续 / self-signed: accept it once):"
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display _ off _ <<<"$a"
  printf '  %-16s https://127.0.0.1:%s/\n' "$display" "$((CONSOLE_BASE_PORT + off))"
done
echo "  演示账号 / demo accounts (每个机关相同 / the same at every agency), 密码 / password: $DEMO_PASSWORD"
echo "    dengji 登记员 registrar · chengban 承办人 handler · fuze 部门负责人 head · lingdao 领导 leader · admin 管理员"
cat <<TXT

守护进程保持运行 / the daemons keep running. Try:
  curl -s -H "Authorization: Bearer \$(cat $DISTRICT_DIR/keys/court.api-token)" http://127.0.0.1:$(port_of court)/inbox | head -40
  $BIN/concordctl status --hub-http 127.0.0.1:$HUB_HTTP_PORT
  $BIN/concordctl audit verify --db $DISTRICT_DIR/data/hub/hub.db
  $BIN/concordctl send --config $DISTRICT_DIR/ops.toml --to $DISTRICT.court --body "值班测试"
  curl -s -H "Authorization: Bearer \$(cat $DISTRICT_DIR/keys/procuratorate.api-token)" "http://127.0.0.1:$(port_of procuratorate)/aid/grants?record_id=JC-2026-112"
  cp my-grants.csv $DISTRICT_DIR/drop/court/   # 导入救助记录 / import grants (report in done/)
  cp my-petitions.csv $DISTRICT_DIR/drop/petition/petitions/   # 导入信访件 / import petitions
  $BIN/concordctl aid dedup --input my-grants.csv --out pairs.csv   # 批量查重 / audit a file
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/ledger.api-token ledger --ledger-http 127.0.0.1:$LEDGER_HTTP_PORT   # 信访台账 / the petition ledger
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/petition.api-token ledger --adapter 127.0.0.1:$(port_of petition)   # 经本机关适配器、总线 / what one agency sees, over the bus
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/petition.api-token ledger --adapter 127.0.0.1:$(port_of petition) --report $(TZ=Asia/Shanghai date +%Y-%m)   # 月报（经总线）/ the monthly report over the bus
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/risk.api-token risk --risk-http 127.0.0.1:$RISK_HTTP_PORT         # 风险评估预警 / open risks
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/conference.api-token conference --conference-http 127.0.0.1:$CONFERENCE_HTTP_PORT --id ${cid:-会-2026-001}   # 联席会议 / a conference: plan, signatures, tasks
  $BIN/concordctl --token-file $DISTRICT_DIR/keys/conference.api-token conference --conference-http 127.0.0.1:$CONFERENCE_HTTP_PORT --leader "检察长 周某"   # 包案领导 / the lead leader's view
日志 / logs: $LOGS    停止 / stop: ./deploy/stop.sh
TXT
