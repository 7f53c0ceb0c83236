-- The records are append-only: a case's events, its letters and attachments, the
-- online applicants' files and messages, the template versions, the calendar
-- imports and the audit log are never changed or removed, whoever connects to the
-- database. An edit is a new row (a new event, a new template version).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%只能追加，不能修改或删除', TG_ARGV[0];
END
$$;

CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION refuse_change('办理记录');
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('办理记录');
CREATE TRIGGER documents_append_only BEFORE UPDATE OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION refuse_change('办理文书');
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('办理文书');
CREATE TRIGGER attachments_append_only BEFORE UPDATE OR DELETE ON attachments FOR EACH ROW EXECUTE FUNCTION refuse_change('案件附件');
CREATE TRIGGER attachments_no_truncate BEFORE TRUNCATE ON attachments FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('案件附件');
CREATE TRIGGER portal_files_append_only BEFORE UPDATE OR DELETE ON portal_files FOR EACH ROW EXECUTE FUNCTION refuse_change('申请人提交的文件');
CREATE TRIGGER portal_files_no_truncate BEFORE TRUNCATE ON portal_files FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('申请人提交的文件');
CREATE TRIGGER applicant_messages_append_only BEFORE UPDATE OR DELETE ON applicant_messages FOR EACH ROW EXECUTE FUNCTION refuse_change('申请人留言');
CREATE TRIGGER applicant_messages_no_truncate BEFORE TRUNCATE ON applicant_messages FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('申请人留言');
CREATE TRIGGER doc_templates_append_only BEFORE UPDATE OR DELETE ON doc_templates FOR EACH ROW EXECUTE FUNCTION refuse_change('文书模板的各版本');
CREATE TRIGGER doc_templates_no_truncate BEFORE TRUNCATE ON doc_templates FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('文书模板的各版本');
CREATE TRIGGER calendar_imports_append_only BEFORE UPDATE OR DELETE ON calendar_imports FOR EACH ROW EXECUTE FUNCTION refuse_change('放假安排的导入记录');
CREATE TRIGGER calendar_imports_no_truncate BEFORE TRUNCATE ON calendar_imports FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('放假安排的导入记录');
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change('审计日志');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('审计日志');
