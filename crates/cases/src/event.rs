//! Events: the append-only record of what happened to a case, and the JSONL log.

use crate::model::{AppealKind, AppealResult, Applicant, Channel, Consultee, FeeMethod, Outcome};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One recorded act: which case, who, when, and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The case number (登记编号), unique per agency.
    pub case: String,
    /// When the act happened (RFC 3339 with offset). Its local date is the legal date
    /// of the act, except for `received`, whose date follows 条例第三十一条.
    pub time: DateTime<FixedOffset>,
    /// Who recorded or performed the act.
    pub actor: String,
    #[serde(flatten)]
    pub body: EventBody,
}

impl Event {
    /// The calendar date of the act, in the offset it was recorded with.
    pub fn date(&self) -> NaiveDate {
        self.time.date_naive()
    }
}

/// What happened. Serialized as `"kind": "...", "payload": {...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum EventBody {
    /// An application arrives (条例第二十九条、第三十一条).
    Received {
        applicant: Applicant,
        channel: Channel,
        /// Day handed in or arrived; defaults to the event's date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        submitted: Option<NaiveDate>,
        /// Signing / confirmation day where 第三十一条 requires one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed: Option<NaiveDate>,
        request: String,
    },
    /// One-time notice to supplement the application (条例第三十条).
    CorrectionRequested {
        /// What must be supplemented.
        #[serde(default)]
        items: String,
        /// The reasonable 补正期限 set in the notice.
        supplement_due: NaiveDate,
    },
    /// The supplemented application is received; the answer clock restarts.
    Supplemented {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Written consultation sent (条例第三十二条、第三十三条第三款、第三十四条).
    ConsultationSent {
        /// Reference of this consultation within the case.
        consultation: String,
        consultee: Consultee,
        #[serde(default)]
        name: String,
    },
    /// The consultee's reply.
    ConsultationReplied {
        consultation: String,
        /// Whether the consultee agrees to disclosure.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent: Option<bool>,
    },
    /// Extension approved by the head of the disclosure office (条例第三十三条第二款).
    Extended {
        working_days: u32,
        approved_by: String,
        #[serde(default)]
        reason: String,
    },
    /// 收费通知 issued (国办函〔2020〕109号).
    FeeNoticed {
        method: FeeMethod,
        amount_yuan: u64,
        /// Pages (按量计收); used to check the amount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pages: Option<u32>,
    },
    /// The fee was paid.
    FeePaid {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The answer (答复) is decided, with its table-三 outcome and legal basis.
    Decided {
        outcome: Outcome,
        /// E.g. "第十六条第二款"; defaults to the outcome's usual article.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The answer is delivered (送达).
    Delivered {
        /// How it was delivered (当面领取, 邮寄, 电子邮件, 在线).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// The postal tracking number, when sent by post.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tracking: Option<String>,
    },
    /// The applicant withdraws the application.
    Withdrawn {
        #[serde(default)]
        reason: String,
    },
    /// 行政复议 or 行政诉讼 filed about this case (条例第五十一条).
    AppealFiled {
        appeal: String,
        appeal_kind: AppealKind,
        #[serde(default)]
        body: String,
    },
    /// The appeal is concluded.
    AppealResolved {
        appeal: String,
        result: AppealResult,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Received { .. } => "received",
            EventBody::CorrectionRequested { .. } => "correction_requested",
            EventBody::Supplemented { .. } => "supplemented",
            EventBody::ConsultationSent { .. } => "consultation_sent",
            EventBody::ConsultationReplied { .. } => "consultation_replied",
            EventBody::Extended { .. } => "extended",
            EventBody::FeeNoticed { .. } => "fee_noticed",
            EventBody::FeePaid { .. } => "fee_paid",
            EventBody::Decided { .. } => "decided",
            EventBody::Delivered { .. } => "delivered",
            EventBody::Withdrawn { .. } => "withdrawn",
            EventBody::AppealFiled { .. } => "appeal_filed",
            EventBody::AppealResolved { .. } => "appeal_resolved",
        }
    }
}

pub const EVENT_KINDS: [&str; 13] = [
    "received",
    "correction_requested",
    "supplemented",
    "consultation_sent",
    "consultation_replied",
    "extended",
    "fee_noticed",
    "fee_paid",
    "decided",
    "delivered",
    "withdrawn",
    "appeal_filed",
    "appeal_resolved",
];

/// A problem in an event log, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行：{}", self.line, self.message)
    }
}

impl std::error::Error for LogError {}

/// Parses one JSONL line into an event; the message is Chinese.
pub fn parse_event_line(line: &str) -> Result<Event, String> {
    let mut v: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| format!("不是有效的 JSON（{}）", json_detail(&e)))?;
    let obj = v.as_object_mut().ok_or("每行应为一个 JSON 对象")?;
    for field in ["case", "time", "actor", "kind"] {
        match obj.get(field) {
            None => return Err(format!("缺少字段「{field}」")),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                return Err(format!("字段「{field}」为空"));
            }
            Some(serde_json::Value::String(_)) => {}
            Some(_) => return Err(format!("字段「{field}」应为字符串")),
        }
    }
    let kind = obj["kind"].as_str().unwrap_or_default().to_owned();
    if !EVENT_KINDS.contains(&kind.as_str()) {
        return Err(format!(
            "未知的事件类型「{kind}」（可用：{}）",
            EVENT_KINDS.join("、")
        ));
    }
    let time = obj["time"].as_str().unwrap_or_default();
    if DateTime::parse_from_rfc3339(time).is_err() {
        return Err(format!(
            "时间「{time}」无效，应为带时区的 RFC 3339 格式，如 2026-02-10T09:30:00+08:00"
        ));
    }
    // Acts without details may omit the payload.
    obj.entry("payload")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    serde_json::from_value(v).map_err(|e| format!("事件「{kind}」的内容有误：{}", json_detail(&e)))
}

/// Parses a whole JSONL log. Blank lines and lines starting with `#` are skipped.
/// Returns every event with its line number, or all bad lines.
pub fn parse_event_log(text: &str) -> Result<Vec<(usize, Event)>, Vec<LogError>> {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_event_line(line) {
            Ok(ev) => events.push((idx + 1, ev)),
            Err(message) => errors.push(LogError {
                line: idx + 1,
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

/// Renders a serde_json error in Chinese (the common shapes; the rest verbatim).
fn json_detail(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // Drop serde_json's English position suffix; the line number is ours.
    let core = match msg.find(" at line ") {
        Some(i) => &msg[..i],
        None => msg.as_str(),
    };
    let tick = |s: &str| -> Option<String> {
        let a = s.find('`')?;
        let b = s[a + 1..].find('`')?;
        Some(s[a + 1..a + 1 + b].to_owned())
    };
    if let Some(rest) = core.strip_prefix("missing field ") {
        return format!("缺少字段「{}」", rest.trim_matches('`'));
    }
    if core.starts_with("unknown variant") {
        if let Some(name) = tick(core) {
            return format!("取值「{name}」无效（{}）", expected_part(core));
        }
    }
    if core.starts_with("unknown field") {
        if let Some(name) = tick(core) {
            return format!("未知字段「{name}」");
        }
    }
    if core.starts_with("invalid type") {
        return format!("字段类型错误（{core}）");
    }
    // chrono's parse errors: a date field was not YYYY-MM-DD or not a real date.
    if core.starts_with("input ")
        || core.starts_with("premature end of input")
        || core.starts_with("trailing input")
        || core.starts_with("no possible date")
    {
        return format!("日期无效，应为 YYYY-MM-DD（{core}）");
    }
    if core.starts_with("EOF while parsing") {
        return "JSON 不完整".to_owned();
    }
    core.to_owned()
}

fn expected_part(core: &str) -> String {
    match core.find("expected") {
        Some(i) => core[i..]
            .replace("expected one of", "可用")
            .replace("expected", "应为"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ApplicantKind;

    const RECEIVED: &str = r#"{"case":"A-1","time":"2026-02-10T09:30:00+08:00","actor":"王芳","kind":"received","payload":{"applicant":{"kind":"natural_person","name":"张三"},"channel":"in_person","request":"某道路工程的环评批复"}}"#;

    #[test]
    fn parses_a_received_event_and_round_trips() {
        let ev = parse_event_line(RECEIVED).unwrap();
        assert_eq!(ev.case, "A-1");
        assert_eq!(ev.date().to_string(), "2026-02-10");
        match &ev.body {
            EventBody::Received { applicant, .. } => {
                assert_eq!(applicant.kind, ApplicantKind::NaturalPerson)
            }
            other => panic!("{other:?}"),
        }
        let json = serde_json::to_string(&ev).unwrap();
        assert_eq!(parse_event_line(&json).unwrap(), ev);
    }

    #[test]
    fn payload_may_be_omitted_for_bare_acts() {
        let ev = parse_event_line(
            r#"{"case":"A-1","time":"2026-02-12T10:00:00+08:00","actor":"王芳","kind":"fee_paid"}"#,
        )
        .unwrap();
        assert_eq!(ev.body, EventBody::FeePaid { note: None });
    }

    #[test]
    fn errors_are_chinese_and_precise() {
        let e = parse_event_line("{").unwrap_err();
        assert!(e.contains("JSON"), "{e}");
        let e = parse_event_line(r#"{"case":"A","time":"2026-02-10T09:30:00+08:00","actor":"x"}"#)
            .unwrap_err();
        assert_eq!(e, "缺少字段「kind」");
        let e =
            parse_event_line(r#"{"case":"A","time":"2026-02-10","actor":"x","kind":"decided"}"#)
                .unwrap_err();
        assert!(e.contains("RFC 3339"), "{e}");
        let e = parse_event_line(
            r#"{"case":"A","time":"2026-02-10T09:30:00+08:00","actor":"x","kind":"closed"}"#,
        )
        .unwrap_err();
        assert!(e.starts_with("未知的事件类型「closed」"), "{e}");
        let e = parse_event_line(r#"{"case":"A","time":"2026-02-10T09:30:00+08:00","actor":"x","kind":"decided","payload":{}}"#).unwrap_err();
        assert!(e.contains("缺少字段「outcome」"), "{e}");
        let e = parse_event_line(r#"{"case":"A","time":"2026-02-10T09:30:00+08:00","actor":"x","kind":"decided","payload":{"outcome":"granted_all"}}"#).unwrap_err();
        assert!(e.contains("取值「granted_all」无效"), "{e}");
        let e = parse_event_line(r#"{"case":"A","time":"2026-02-10T09:30:00+08:00","actor":"x","kind":"correction_requested","payload":{"supplement_due":"2026-02-31"}}"#).unwrap_err();
        assert!(e.contains("日期") || e.contains("supplement_due"), "{e}");
    }

    #[test]
    fn log_errors_carry_line_numbers() {
        let text = format!("# comment\n{RECEIVED}\n\nnot json\n");
        let errs = parse_event_log(&text).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].to_string().starts_with("第 4 行："));
        let ok = parse_event_log(RECEIVED).unwrap();
        assert_eq!(ok[0].0, 1);
    }
}
