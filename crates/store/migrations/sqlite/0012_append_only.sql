-- The records are append-only: a case's events, its letters and attachments, the
-- online applicants' files and messages, the template versions, the calendar
-- imports and the audit log are never changed or removed, whoever connects to the
-- database. An edit is a new row (a new event, a new template version).
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, '办理记录只能追加，不能修改或删除'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, '办理记录只能追加，不能修改或删除'); END;
CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents BEGIN SELECT RAISE(ABORT, '办理文书只能追加，不能修改或删除'); END;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents BEGIN SELECT RAISE(ABORT, '办理文书只能追加，不能修改或删除'); END;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments BEGIN SELECT RAISE(ABORT, '案件附件只能追加，不能修改或删除'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments BEGIN SELECT RAISE(ABORT, '案件附件只能追加，不能修改或删除'); END;
CREATE TRIGGER portal_files_no_update BEFORE UPDATE ON portal_files BEGIN SELECT RAISE(ABORT, '申请人提交的文件只能追加，不能修改或删除'); END;
CREATE TRIGGER portal_files_no_delete BEFORE DELETE ON portal_files BEGIN SELECT RAISE(ABORT, '申请人提交的文件只能追加，不能修改或删除'); END;
CREATE TRIGGER applicant_messages_no_update BEFORE UPDATE ON applicant_messages BEGIN SELECT RAISE(ABORT, '申请人留言只能追加，不能修改或删除'); END;
CREATE TRIGGER applicant_messages_no_delete BEFORE DELETE ON applicant_messages BEGIN SELECT RAISE(ABORT, '申请人留言只能追加，不能修改或删除'); END;
CREATE TRIGGER doc_templates_no_update BEFORE UPDATE ON doc_templates BEGIN SELECT RAISE(ABORT, '文书模板的各版本只能追加，不能修改或删除'); END;
CREATE TRIGGER doc_templates_no_delete BEFORE DELETE ON doc_templates BEGIN SELECT RAISE(ABORT, '文书模板的各版本只能追加，不能修改或删除'); END;
CREATE TRIGGER calendar_imports_no_update BEFORE UPDATE ON calendar_imports BEGIN SELECT RAISE(ABORT, '放假安排的导入记录只能追加，不能修改或删除'); END;
CREATE TRIGGER calendar_imports_no_delete BEFORE DELETE ON calendar_imports BEGIN SELECT RAISE(ABORT, '放假安排的导入记录只能追加，不能修改或删除'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END;
