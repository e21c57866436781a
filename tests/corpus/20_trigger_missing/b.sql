CREATE TABLE documents (id serial PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER documents_touch BEFORE UPDATE ON documents FOR EACH ROW
  WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION touch_updated_at();
CREATE TABLE audit (id bigserial PRIMARY KEY, doc_id int, op text NOT NULL);
CREATE FUNCTION audit_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit (doc_id, op) VALUES (coalesce(NEW.id, OLD.id), TG_OP);
  RETURN NULL;
END
$$;
CREATE TRIGGER documents_audit AFTER INSERT OR DELETE OR UPDATE OF body ON documents
  FOR EACH ROW EXECUTE FUNCTION audit_documents();
