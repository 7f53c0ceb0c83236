//! The case page's step forms: which fields each step asks for, and reading a
//! submitted form back into an office `Step`, with a Chinese message naming the
//! field that is wrong.

use crate::views::{Choice, FieldView, StepFormView};
use gongkai_cases::{AppealKind, AppealResult, Consultee, FeeMethod, NaiveDate, Outcome};
use gongkai_office::casework::wire_name as plain;
use gongkai_office::casework::{CaseView, Step, StepKind};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    Area,
    Date,
    Number,
    Select,
}

struct Field {
    name: &'static str,
    label: &'static str,
    input: Input,
    required: bool,
    hint: &'static str,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
        hint: "",
    }
}

fn fields(kind: StepKind) -> Vec<Field> {
    use Input::*;
    match kind {
        StepKind::RequestCorrection => vec![
            f("items", "需要补正的事项", Area, true),
            f("supplement_due", "补正期限", Date, true),
        ],
        StepKind::Supplemented => vec![f("note", "补正情况", Area, false)],
        StepKind::Consult => vec![
            f("consultee", "征求对象", Select, true),
            f("name", "对象名称", Text, false),
        ],
        StepKind::ConsultationReplied => vec![
            f("consultation", "征求意见", Select, true),
            f("consent", "意见", Select, true),
        ],
        StepKind::Extend => vec![
            Field {
                hint: "最长 20 个工作日，须在答复期限届满前经负责人同意（条例第三十三条第二款）",
                ..f("working_days", "延长工作日数", Number, true)
            },
            f("reason", "延期理由", Area, true),
        ],
        StepKind::NoticeFee => vec![
            f("method", "计收方式", Select, true),
            Field {
                hint: "按件计收：本月第 1–10 件免费，11–30 件每件 100 元，31 件起每件 10 元递增；按量计收：30 页以下免费，31–100 页每页 10 元，101–200 页每页 5 元，201 页以上每页 3 元",
                ..f("amount_yuan", "金额（元）", Number, true)
            },
            f("pages", "页数（按量计收时填写）", Number, false),
        ],
        StepKind::FeePaid => vec![f("note", "缴费情况", Text, false)],
        StepKind::Decide => vec![
            f("outcome", "答复结果（表三的行）", Select, true),
            Field {
                hint: "不填则按该结果通常适用的条款",
                ..f("basis", "法律依据", Text, false)
            },
            f("note", "说明", Area, false),
        ],
        StepKind::Deliver => vec![
            f("method", "送达方式", Select, true),
            f("tracking", "邮件单号", Text, false),
        ],
        StepKind::Withdraw => vec![f("reason", "撤回理由", Text, false)],
        StepKind::FileAppeal => vec![
            f("appeal_kind", "类型", Select, true),
            f("body", "复议机关或法院", Text, false),
        ],
        StepKind::ResolveAppeal => vec![
            f("appeal", "复议或诉讼", Select, true),
            f("result", "结果", Select, true),
        ],
    }
}

fn hint(kind: StepKind) -> &'static str {
    match kind {
        StepKind::RequestCorrection => {
            "申请内容不明确的，应自收到申请之日起 7 个工作日内一次性告知补正（条例第三十条）。生成《补正申请告知书》。"
        }
        StepKind::Consult => {
            "征求意见期间不计入答复期限（条例第三十三条第三款）。生成《征求意见函》。"
        }
        StepKind::Extend => "生成《延期答复告知书》。",
        StepKind::NoticeFee => {
            "缴费期间不计入答复期限（《政府信息公开信息处理费管理办法》）。生成《收取信息处理费通知书》。"
        }
        StepKind::Decide => "生成《政府信息公开申请答复书》，含法律依据和救济途径。",
        _ => "",
    }
}

fn choices<T: Copy>(
    all: &[T],
    key: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: key(*x),
            label: label(*x),
            selected: false,
        })
        .collect()
}

fn texts(all: &[String]) -> Vec<Choice> {
    all.iter()
        .map(|s| Choice {
            value: s.clone(),
            label: s.clone(),
            selected: false,
        })
        .collect()
}

/// The choices of a select field; `method` means the fee method on the fee form and
/// the delivery channel on the delivery form.
fn options(kind: StepKind, field: &str, view: &CaseView) -> Vec<Choice> {
    match field {
        "method" if kind == StepKind::NoticeFee => {
            choices(&[FeeMethod::PerVolume, FeeMethod::PerItem], plain, |m| {
                m.label().to_string()
            })
        }
        "method" => ["当面领取", "邮寄", "电子邮件", "在线下载", "传真"]
            .iter()
            .map(|m| Choice {
                value: (*m).into(),
                label: (*m).into(),
                selected: false,
            })
            .collect(),
        "consultee" => choices(
            &[
                Consultee::ThirdParty,
                Consultee::Agency,
                Consultee::CoProducer,
            ],
            plain,
            |c| c.label().to_string(),
        ),
        "consultation" => texts(&view.open_consultations),
        "consent" => vec![
            Choice {
                value: "true".into(),
                label: "同意公开".into(),
                selected: false,
            },
            Choice {
                value: "false".into(),
                label: "不同意公开".into(),
                selected: false,
            },
            Choice {
                value: "".into(),
                label: "未表明意见".into(),
                selected: false,
            },
        ],
        "outcome" => choices(
            &Outcome::ALL,
            |o| o.row_key().to_string(),
            |o| o.label().to_string(),
        ),
        "appeal_kind" => choices(&AppealKind::ALL, plain, |k| k.label().to_string()),
        "appeal" => texts(&view.open_appeals),
        "result" => choices(
            &[
                AppealResult::Upheld,
                AppealResult::Corrected,
                AppealResult::Other,
            ],
            plain,
            |r| r.label().to_string(),
        ),
        _ => Vec::new(),
    }
}

/// The forms of the steps the engine accepts now; `open` names the one to unfold
/// (after an error in it).
pub fn step_forms(view: &CaseView, today: NaiveDate, open: Option<&str>) -> Vec<StepFormView> {
    view.next_steps
        .iter()
        .map(|&k| StepFormView {
            key: k.key(),
            label: k.label(),
            hint: hint(k),
            open: open == Some(k.key()),
            fields: fields(k)
                .into_iter()
                .map(|fl| {
                    let input = match fl.input {
                        Input::Text => "text",
                        Input::Area => "textarea",
                        Input::Date => "date",
                        Input::Number => "number",
                        Input::Select => "select",
                    };
                    let value = match (k, fl.name) {
                        (StepKind::RequestCorrection, "supplement_due") => {
                            (today + chrono::Duration::days(15)).to_string()
                        }
                        (StepKind::Extend, "working_days") => "20".into(),
                        _ => String::new(),
                    };
                    let opts = match (fl.input, k) {
                        (Input::Select, _) => options(k, fl.name, view),
                        _ => Vec::new(),
                    };
                    FieldView {
                        name: fl.name,
                        label: fl.label,
                        input,
                        required: fl.required,
                        value,
                        options: opts,
                        hint: fl.hint,
                    }
                })
                .collect(),
        })
        .collect()
}

/// A submitted step form as a `Step` (and its date), or what to fix.
pub fn parse_step(form: &HashMap<String, String>) -> Result<(Step, Option<NaiveDate>), String> {
    let key = form.get("step").map(String::as_str).unwrap_or("");
    let kind = StepKind::parse(key).ok_or_else(|| format!("未知的办理事项「{key}」"))?;
    let mut obj = serde_json::Map::new();
    obj.insert("step".into(), serde_json::Value::String(key.into()));
    for fl in fields(kind) {
        let raw = form.get(fl.name).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if fl.required && !(fl.name == "consent") {
                return Err(format!("请填写「{}」", fl.label));
            }
            continue;
        }
        let value = match fl.input {
            Input::Number => {
                let n: u64 = raw.parse().map_err(|_| {
                    format!(
                        "「{}」应为不带小数的非负整数，而填写的是「{raw}」",
                        fl.label
                    )
                })?;
                serde_json::Value::from(n)
            }
            Input::Date => {
                NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                    format!("「{}」不是有效日期（应为 年-月-日）：「{raw}」", fl.label)
                })?;
                serde_json::Value::String(raw.into())
            }
            _ if fl.name == "consent" => serde_json::Value::Bool(raw == "true"),
            _ => serde_json::Value::String(raw.into()),
        };
        obj.insert(fl.name.into(), value);
    }
    let step: Step = serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|_| "所选的选项无效，请刷新页面后重新选择".to_string())?;
    let date = match form.get("date").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| format!("办理日期不是有效日期：「{d}」"))?,
        ),
        None => None,
    };
    Ok((step, date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_parse_into_steps() {
        let (s, d) = parse_step(&form(&[
            ("step", "request_correction"),
            ("date", "2026-11-20"),
            ("items", "请写明文号"),
            ("supplement_due", "2026-12-05"),
        ]))
        .unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(
            s,
            Step::RequestCorrection {
                items: "请写明文号".into(),
                supplement_due: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
            }
        );
        let (s, _) = parse_step(&form(&[("step", "decide"), ("outcome", "partial")])).unwrap();
        assert!(matches!(
            s,
            Step::Decide {
                outcome: Outcome::Partial,
                ..
            }
        ));
        let (s, _) = parse_step(&form(&[
            ("step", "extend"),
            ("working_days", "15"),
            ("reason", "量大"),
        ]))
        .unwrap();
        assert_eq!(
            s,
            Step::Extend {
                working_days: 15,
                reason: "量大".into()
            }
        );
    }

    #[test]
    fn bad_forms_say_which_field() {
        let e = parse_step(&form(&[
            ("step", "extend"),
            ("working_days", "十五"),
            ("reason", "x"),
        ]))
        .unwrap_err();
        assert!(e.contains("延长工作日数"), "{e}");
        let e = parse_step(&form(&[("step", "request_correction"), ("items", "x")])).unwrap_err();
        assert!(e.contains("补正期限"), "{e}");
        let e =
            parse_step(&form(&[("step", "decide"), ("outcome", "granted_or_not")])).unwrap_err();
        assert!(e.contains("选项无效"), "{e}");
        let e = parse_step(&form(&[("step", "nope")])).unwrap_err();
        assert!(e.contains("未知"), "{e}");
        let e = parse_step(&form(&[("step", "supplemented"), ("date", "2026-13-01")])).unwrap_err();
        assert!(e.contains("办理日期"), "{e}");
    }
}
