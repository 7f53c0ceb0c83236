use super::*;
use crate::casework::Registration;
use crate::testing::{actor, demo_office};
use gongkai_cases::{ApplicantKind, Channel, NaiveDate};
use std::io::Write;

fn docx_bytes() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(b"<Types/>").unwrap();
    z.start_file("word/document.xml", opts).unwrap();
    z.write_all(b"<w:document/>").unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

fn plain_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("run.exe", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"MZ").unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

#[test]
fn kinds_are_told_by_their_bytes() {
    assert_eq!(
        sniff(b"%PDF-1.7\n...").unwrap().media_type,
        "application/pdf"
    );
    assert_eq!(
        sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap().label,
        "JPEG 图片"
    );
    assert_eq!(sniff(&docx_bytes()).unwrap().label, "Word 文档");
    assert_eq!(
        sniff("申请人补正材料\n第二行".as_bytes()).unwrap().label,
        "文本文件"
    );
    // Any other zip, a web page, an SVG, an executable, binary noise: refused.
    assert!(sniff(&plain_zip()).is_none());
    assert!(sniff(b"<!DOCTYPE html><script>alert(1)</script>").is_none());
    assert!(sniff(b"  <svg onload=alert(1)>").is_none());
    assert!(sniff(b"MZ\x90\x00\x03").is_none());
    assert!(sniff(&[0u8, 1, 2, 3, 255]).is_none());
}

#[test]
fn uploads_are_checked_for_size_kind_and_disguise() {
    let (name, kind) = check_upload("C:\\扫描件\\申请书.pdf", b"%PDF-1.4 x").unwrap();
    assert_eq!(name, "申请书.pdf");
    assert_eq!(kind.media_type, "application/pdf");
    let e = check_upload("照片.jpg", b"%PDF-1.4 x")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("「照片.jpg」的内容是PDF，与文件扩展名不符"),
        "{e}"
    );
    let e = check_upload("page.pdf", b"<html><body>hi</body></html>")
        .unwrap_err()
        .to_string();
    assert!(e.contains("不是可接收的文件类型"), "{e}");
    let e = check_upload("空.txt", b"").unwrap_err().to_string();
    assert!(e.contains("空文件"), "{e}");
    let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
    let e = check_upload("大.txt", &big).unwrap_err().to_string();
    assert!(e.contains("超过上限 10 MB"), "{e}");
    assert_eq!(clean_name("../../etc/passwd"), "passwd");
    assert_eq!(clean_name("..\\..\\a<b>.txt"), "ab.txt");
    let long = format!("{}.docx", "长".repeat(300));
    let cleaned = clean_name(&long);
    assert_eq!(cleaned.chars().count(), 100);
    assert!(cleaned.ends_with(".docx"));
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_are_stored_read_back_and_kept_to_the_agency() {
    let f = demo_office().await;
    let office = &f.office;
    let clerk = actor(office, "clerk").await;
    let land = actor(office, "land").await;
    let case = office
        .register(
            &clerk,
            &Registration {
                channel: Channel::InPerson,
                applicant_kind: ApplicantKind::NaturalPerson,
                applicant_name: "附件测试".into(),
                id_type: None,
                id_number: None,
                phone: None,
                email: None,
                address: None,
                request: "某文件".into(),
                submitted: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                confirmed: None,
                provision: None,
            },
            None,
        )
        .await
        .unwrap();
    let id = office
        .add_attachment(
            &clerk,
            case,
            "补正材料.docx",
            docx_bytes(),
            Some("10.0.0.9"),
        )
        .await
        .unwrap();
    let list = office
        .view_case(&clerk, case, None)
        .await
        .unwrap()
        .attachments;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].file_name, "补正材料.docx");
    let file = office.attachment(&clerk, id, None).await.unwrap();
    assert_eq!(file.content, docx_bytes());
    assert!(file.media_type.contains("wordprocessingml"));
    // Another agency's clerk neither adds to nor reads the case.
    assert!(matches!(
        office.attachment(&land, id, None).await,
        Err(OfficeError::NotFound(_))
    ));
    assert!(matches!(
        office
            .add_attachment(&land, case, "x.txt", b"x".to_vec(), None)
            .await,
        Err(OfficeError::NotFound(_))
    ));
    // A refused upload stores nothing.
    assert!(
        office
            .add_attachment(&clerk, case, "x.jpg", b"%PDF-1.4".to_vec(), None)
            .await
            .is_err()
    );
    assert_eq!(
        office
            .view_case(&clerk, case, None)
            .await
            .unwrap()
            .attachments
            .len(),
        1
    );
    let log = office
        .store
        .audit_log(Some(clerk.agency_id), 20)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "上传附件"));
    assert!(log.iter().any(|e| e.action == "下载附件"));
}
