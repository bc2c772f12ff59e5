#!/usr/bin/env bash
# Writes a demo district into DIR (default var/district): CurveZMQ keys for the
# hub, the six agencies and an operator, the agency registry, the ACL, hub.toml
# and one adapter config per agency. Existing keys are kept (safe to re-run).
# 生成演示辖区配置与密钥（可重复运行，已有密钥保留）。
set -euo pipefail
source "$(dirname "$0")/common.sh"
DIR="${1:-$DISTRICT_DIR}"
CTL="$BIN/concordctl"
mkdir -p "$DIR/keys" "$DIR/data"
chmod 700 "$DIR/keys"

key() {  # key NAME -> makes keys/NAME.{pub,key} once
  [ -f "$DIR/keys/$1.key" ] || "$CTL" keys gen --out "$DIR/keys/$1" >/dev/null
}
token() {  # token NAME -> makes keys/NAME.api-token once (32 random bytes, hex, 0600)
  [ -f "$DIR/keys/$1.api-token" ] ||
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$DIR/keys/$1.api-token")
}
# The hub's key pair (kept when it exists), hub.toml, the ACL for this
# district and its agencies (the one ACL template: concordctl district init)
# and an empty registry, filled below with `keys add`. On one machine for the
# demo; a real district runs `district init` at the hub and `agency init` at
# each agency (docs/configuration.md).
rm -f "$DIR/registry.toml"
"$CTL" district init --dir "$DIR" --district "$DISTRICT" --display "$DISTRICT_DISPLAY" \
  --endpoint "tcp://127.0.0.1:$HUB_PORT" --metrics-port "$HUB_HTTP_PORT" --data-dir "$DIR/data/hub" \
  --agencies <(for a in "${AGENCIES[@]}"; do
    IFS='|' read -r name display roles _ superior <<<"$a"
    echo "$name|$display|$roles|$superior"
  done) --force >/dev/null
key ops
key aid
key ledger
key risk
key conference
for t in aid ledger risk conference; do token "$t"; done
# The agencies' shared linkage key (aid duplicate check): adapters only,
# never the hub or the aid agent. 关联密钥只给各救助机关的适配器。
[ -f "$DIR/keys/linkage.key" ] || "$CTL" aid keygen --out "$DIR/keys/linkage.key" >/dev/null

enrol() {  # enrol NAME DISPLAY ROLES KEY: registers keys/KEY.pub as NAME
  "$CTL" keys add --registry "$DIR/registry.toml" --name "$1" --display "$2" --roles "$3" \
    --pub "$DIR/keys/$4.pub" --sign-key "$("$CTL" keys sign-key --key "$DIR/keys/$4.key")" >/dev/null
}
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display roles _ <<<"$a"
  key "$name"
  token "$name"
  enrol "$DISTRICT.$name" "$display" "$roles" "$name"
done
enrol "$DISTRICT.ops" "运维值班" ops ops
enrol "$DISTRICT.agent.aid" "司法救助登记查重代理" aid aid
enrol "$DISTRICT.agent.ledger" "信访台账与期限监督代理" ledger ledger
enrol "$DISTRICT.agent.risk" "风险评估预警代理" risk risk
enrol "$DISTRICT.agent.conference" "联席会议与化解方案代理" conference conference

# The consoles' TLS certificate: self-signed, for the demo on this machine
# (a real agency installs one from its own CA). 控制台证书（演示用自签名）。
mkdir -p "$DIR/tls"
if [ ! -f "$DIR/tls/console.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost/O=Concord demo" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$DIR/tls/console.key" -out "$DIR/tls/console.crt" 2>/dev/null
  chmod 600 "$DIR/tls/console.key"
fi
# Every agency's name, for the consoles' histories and transfer forms.
directory=""
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display roles off _ <<<"$a"
  directory+="${directory:+, }\"$DISTRICT.$name\" = \"$display\""
done
# The organ that reviews each agency's reply to a petition (《信访工作条例》
# 第三十五条: the next level up), named in its 答复意见书; the city's organs
# name the province's (not on this bus).
superior_of() {
  local x n d r o s
  for x in "${AGENCIES[@]}"; do
    IFS='|' read -r n d r o s <<<"$x"
    if [ "$n" = "$1" ]; then
      if [ -n "$s" ]; then display_of "$s"; else province_of "$n"; fi
    fi
  done
}
display_of() {
  local x n d
  for x in "${AGENCIES[@]}"; do
    IFS='|' read -r n d _ <<<"$x"
    [ "$n" = "$1" ] && echo "$d"
  done
  return 0
}
province_of() {
  case "$1" in
    city-procuratorate) echo "某某省人民检察院" ;;
    city-plc) echo "中共某某省委政法委员会" ;;
    city-court) echo "某某省高级人民法院" ;;
    city-police) echo "某某省公安厅" ;;
    city-justice) echo "某某省司法厅" ;;
    city-petition) echo "上州市人民政府" ;;
  esac
}

for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display roles off _ <<<"$a"
  topics='"district"'
  [ "$name" = "plc" ] && topics='"district", "alerts"'
  cat > "$DIR/$name.toml" <<TOML
# concord-adapter: $display
[agency]
name = "$DISTRICT.$name"
display = "$display"

[hub]
endpoint = "tcp://127.0.0.1:$HUB_PORT"
public_key = "keys/hub.pub"

[keys]
secret_key = "keys/$name.key"

[storage]
data_dir = "data/$name"

[http]
address = "127.0.0.1"
port = $((ADAPTER_BASE_PORT + off))
token_file = "keys/$name.api-token"   # Authorization: Bearer <this file>

[subscriptions]
topics = [$topics]

# 信访登记与办理：POST /petitions, /petitions/act；接待日与三零 /reception, /incidents
# Petition intake and handling; reception days and the three zeros.
[petitions]
ledger = "$DISTRICT.agent.ledger"

# CSV 导入：信访件放入 drop/$name/petitions/，救助记录放入 drop/$name/
# CSV import: petitions in drop/$name/petitions/, aid grants in drop/$name/ (done/ and failed/ beside them).
[csv]
drop_dir = "drop/$name"

# 办案人员网页控制台（HTTPS，个人账号）/ The clerks' web console (HTTPS, personal accounts).
# 在本机关局域网开放：address = "0.0.0.0"，证书换为本单位证书；hosts 为空时只接受以 IP 地址、localhost、本机名访问，用内网域名访问的须列入 hosts。
# To open it to the agency's LAN: address = "0.0.0.0", install the agency's certificate; with hosts empty only IP addresses, localhost and this machine's name are accepted: list any DNS name used.
[console]
address = "127.0.0.1"
port = $((CONSOLE_BASE_PORT + off))
cert = "tls/console.crt"
key = "tls/console.key"
idle_minutes = 30
agencies = { $directory }
conference = "$DISTRICT.agent.conference"
risk = "$DISTRICT.agent.risk"
superior = "$(superior_of "$name")"   # 答复意见书：请求复查的上一级机关 / where a reply is reviewed
TOML
  if [[ ",$roles," == *",aid_grantor,"* ]]; then
    cat >> "$DIR/$name.toml" <<TOML

# 司法救助：发放前查重 / Judicial aid: pre-grant duplicate check.
[aid]
linkage_key = "keys/linkage.key"
agent = "role:aid"
conference = "$DISTRICT.agent.conference"   # 救助任务按其邀请核对案号 / aid tasks are checked against its invitations
TOML
  fi
done

# Demo accounts, one per role at every agency (the quick start prints them).
# Each person has their own account in a real district: `concordctl account add`.
# 演示账号：每个机关每个角色一个（真实部署中每人一个账号）。
demo_people() {  # demo_people AGENCY -> "login|name|department|roles" lines
  case "$1" in
    procuratorate) d1="控告申诉检察部"; s=(王 李 赵 周 孙) ;;
    plc) d1="维稳指导室"; s=(钱 吴 郑 冯 陈) ;;
    court) d1="立案庭"; s=(褚 卫 蒋 沈 韩) ;;
    police) d1="信访科"; s=(杨 朱 秦 尤 许) ;;
    justice) d1="法律援助中心"; s=(何 吕 施 张 孔) ;;
    petition) d1="办信科"; s=(曹 严 华 金 魏) ;;
    city-procuratorate) d1="控告申诉检察部"; s=(陶 姜 戚 谢 邹) ;;
    city-plc) d1="执法监督处"; s=(喻 柏 水 窦 章) ;;
    city-court) d1="立案庭"; s=(云 苏 潘 葛 奚) ;;
    city-police) d1="信访处"; s=(范 彭 郎 鲁 韦) ;;
    city-justice) d1="行政复议处"; s=(昌 马 苗 凤 花) ;;
    city-petition) d1="复查复核处"; s=(方 俞 任 袁 柳) ;;
  esac
  echo "dengji|${s[0]}登记|$d1|registrar"
  echo "chengban|${s[1]}承办|$d1|handler"
  echo "fuze|${s[2]}主任|$d1|head"
  echo "lingdao|${s[3]}领导|领导班子|leader"
  echo "admin|${s[4]}管理|办公室|admin"
}
for a in "${AGENCIES[@]}"; do
  IFS='|' read -r name display roles off _ <<<"$a"
  while IFS='|' read -r login person dept role; do
    out="$(printf '%s\n' "$DEMO_PASSWORD" | "$CTL" account add --agency-config "$DIR/$name.toml" \
      --login "$login" --name "$person" --department "$dept" --roles "$role" --password-stdin 2>&1)" ||
      grep -q "已存在" <<<"$out" || { echo "演示账号创建失败 / demo account $name/$login: $out" >&2; exit 1; }
  done < <(demo_people "$name")
done

# The sections every agent's config starts with: who it is, the hub, its key,
# its data and its loopback HTTP port.
agent_head() {  # agent_head KEY DISPLAY HTTP_PORT
  cat <<TOML
[agency]
name = "$DISTRICT.agent.$1"
display = "$2"

[hub]
endpoint = "tcp://127.0.0.1:$HUB_PORT"
public_key = "keys/hub.pub"

[keys]
secret_key = "keys/$1.key"

[storage]
data_dir = "data/$1"

[http]
address = "127.0.0.1"
port = $3
token_file = "keys/$1.api-token"   # Authorization: Bearer <this file>
TOML
}

{
cat <<TOML
# concord-ledger-agent: 信访台账与期限监督 / petition ledger and deadline clock
TOML
agent_head ledger "信访台账与期限监督代理" "$LEDGER_HTTP_PORT"
cat <<TOML

[ledger]
calendar = "$ROOT/deploy/calendar/cn-holidays.txt"   # 节假日与调休 / holidays and make-up workdays
petition_office = "$DISTRICT.petition"              # 15 日内转送交办 / 15 days to transfer or assign
supervisors = ["$DISTRICT.plc"]                     # 重大、集体访逾期督办 / second escalation of major and group items
scan_seconds = 5
warn_same_day_hours = 4                             # 当日期限提前 4 小时提醒 / warn 4 h before a same-day deadline
warn_days = 2                                       # 按日计算的期限提前 2 天 / 2 days before a day-counted one
warn_month_days = 7                                 # 按月计算的期限提前 7 天 / 7 days before a month-counted one
second_escalation_days = 3                          # 逾期 3 天仍未办理报主要负责人 / then to the agency's head
reception_hosts = ["$DISTRICT.procuratorate"]       # 检察长接待日主办 / hosts reception days
reception_bookers = ["$DISTRICT.petition"]          # 可预约 / may book petitioners into them
observers = ["$DISTRICT.agent.risk"]                # 风险评估 / each changed item goes to the risk agent
trackers = ["$DISTRICT.agent.conference"]           # 化解方案任务期限 / plan tasks on this clock
procuratorates = [$(for x in "${AGENCIES[@]}"; do IFS='|' read -r n _ r _ <<<"$x"; [[ ",$r," == *",procuratorate,"* ]] && printf '"%s.%s", ' "$DISTRICT" "$n"; done | sed 's/, $//')]   # 7 日程序性答复、3 个月答复 / the 7 days and 3 months

[ledger.superiors]   # 复查、复核由上一级机关办理 / review and re-review by the organ above (条例 arts. 35-36)
$(for x in "${AGENCIES[@]}"; do IFS='|' read -r n _ _ _ s <<<"$x"; [ -n "$s" ] && printf '"%s.%s" = "%s.%s"\n' "$DISTRICT" "$n" "$DISTRICT" "$s"; done)
TOML
} > "$DIR/ledger.toml"

{
cat <<TOML
# concord-risk-agent: 风险评估预警与隐患月排查 / risk warning and monthly screening
TOML
agent_head risk "风险评估预警代理" "$RISK_HTTP_PORT"
cat <<TOML

[risk]
factors = "$ROOT/deploy/risk/factors.toml"          # 风险因素与权重 / factors, weights, levels
calendar = "$ROOT/deploy/calendar/cn-holidays.txt"  # 每月第一个工作日排查 / screening on the first working day
supervisors = ["$DISTRICT.plc"]                     # 红色预警即报政法委 / told at once of red
convenors = ["$DISTRICT.procuratorate"]             # 提议召开联席会议 / may convene the joint conference
ledger = "$DISTRICT.agent.ledger"                   # 只接受台账代理的信访件快照 / snapshots from the ledger only
scan_seconds = 60
TOML
} > "$DIR/risk.toml"

if [ "${CONCORD_DEMO_DRILL:-0}" = 1 ]; then
  mkdir -p "$DIR/drill"
  echo "+0" > "$DIR/drill/conference.clock"
fi
{
cat <<TOML
# concord-conference-agent: 联席会议与化解方案 / joint conferences and work plans
TOML
agent_head conference "联席会议与化解方案代理" "$CONFERENCE_HTTP_PORT"
cat <<TOML

[conference]
convenors = ["$DISTRICT.procuratorate", "$DISTRICT.plc"]   # 检察院或政法委召集 / who may convene
agencies = [$(for x in "${AGENCIES[@]}"; do printf '"%s.%s", ' "$DISTRICT" "${x%%|*}"; done | sed 's/, $//')]   # 可邀请的机关 / who may be invited
ledger = "$DISTRICT.agent.ledger"                          # 任务到期提醒与逾期督办 / task reminders and escalation
aid = "$DISTRICT.agent.aid"                                # 救助任务办结前查重 / aid tasks pass the duplicate check
hearing_hosts = ["$DISTRICT.procuratorate"]               # 公开听证由检察院安排并记录 / the procuratorate hosts hearings
$(if [ "${CONCORD_DEMO_DRILL:-0}" = 1 ]; then cat <<'DRILL'
# 仅快速演示：演练时钟，"+0" 即系统时间；演示为记录听证临时拨快 / quick start only: a drill
# clock, "+0" is the system time; the demo moves it ahead to record a hearing. Never in production.
clock_file = "drill/conference.clock"
DRILL
fi)

[conference.names]   # 方案文书中的机关名称 / the agencies' names in the plan document
$(for x in "${AGENCIES[@]}"; do IFS='|' read -r n d _ <<<"$x"; printf '"%s.%s" = "%s"\n' "$DISTRICT" "$n" "$d"; done)
TOML
} > "$DIR/conference.toml"

{
cat <<TOML
# concord-aid-agent: 司法救助登记与查重 / aid registry and duplicate check
# It never holds the linkage key: it matches keyed encodings only.
TOML
agent_head aid "司法救助登记查重代理" "$AID_HTTP_PORT"
cat <<TOML

[aid]
province = "陕西省"
calendar = "$ROOT/deploy/calendar/cn-holidays.txt"   # 救助期限按工作日 / aid deadlines in working days
payment_working_days = 2      # 救助金到账后通知领取 / to tell and pay once the funds arrive
supervisors = ["$DISTRICT.plc"]   # 救助期限逾期督办 / escalations of aid deadlines
duplicate_probability = 0.9   # 判为重复 / duplicate at or above
possible_probability = 0.5    # 疑似重复 / possible duplicate at or above
status_askers = ["$DISTRICT.agent.conference"]   # 可查询查重结果 / may ask a grant's check result

# 救助上限：上一年度全省职工月平均工资 × 36（2014 意见；docs/aid.md）/ cap: 36 x the
# province's average monthly wage of the year before. 示例数字，请按省统计局公布数字填写 /
# example figures: enter the province's published ones.
[aid.wages]
"2024" = 7800
"2025" = 8200
TOML
} > "$DIR/aid.toml"

cat > "$DIR/ops.toml" <<TOML
# concordctl send/tail 使用的运维身份 / operator identity for concordctl send and tail
[agency]
name = "$DISTRICT.ops"
display = "运维值班"

[hub]
endpoint = "tcp://127.0.0.1:$HUB_PORT"
public_key = "keys/hub.pub"

[keys]
secret_key = "keys/ops.key"

[storage]
data_dir = "data/ops"

[subscriptions]
topics = ["alerts"]
TOML
echo "辖区配置已写入 / district written to $DIR"
