-- case: PascalCase tables without a snake_case view
-- min_version: 150000
-- snake_case_views: true
-- expect: public."ChatMessage"
CREATE TABLE public."ChatMessage" (id int PRIMARY KEY);
CREATE TABLE public."User" (id int PRIMARY KEY);
CREATE VIEW public.users WITH (security_invoker = true) AS SELECT * FROM public."User";

-- case: not asked for by the checklists
-- expect: (none)
CREATE TABLE public."ChatMessage" (id int PRIMARY KEY);
