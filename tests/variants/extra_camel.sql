-- Variant: tables the application has and the write-up never mentions, camelCase columns.
CREATE TABLE public.audit_log_entries (
    "id" SERIAL PRIMARY KEY,
    "entityName" character varying NOT NULL,
    "entityId" character varying,
    "actionTaken" character varying NOT NULL,
    "createdAt" TIMESTAMP NOT NULL DEFAULT now()
);
CREATE TABLE public.feature_flags (
    "flagKey" character varying PRIMARY KEY,
    "isEnabled" boolean NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP
);
INSERT INTO public.feature_flags ("flagKey", "isEnabled") VALUES ('betaUi', true);
