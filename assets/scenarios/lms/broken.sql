-- LMS on Supabase -- the BROKEN production database, as it was before the audit: migrations
-- 20250101000000..20250101000017 applied, 20250101000018_add_critical_missing_tables and
-- 20250101000019_missing_rls_policies never pushed. Zoom webhooks, ticket surveys, ticket
-- replies/messages and ticket attachments all fail ("relation ... does not exist"), and recording
-- status / actual start and end times / ticket closing cannot be stored.
-- Expects supabase-standin.sql to have run first. Self-contained otherwise: creates the whole
-- database, data included (deterministic, no random()).

-- 20250101000000_initial_schema ----------------------------------------------------------------------
CREATE TYPE public.user_role AS ENUM ('student', 'teacher', 'admin', 'parent');

CREATE TABLE public.users (
    id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    email text NOT NULL UNIQUE,
    full_name text,
    profile_pic text,
    role public.user_role NOT NULL DEFAULT 'student',
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_users_role ON public.users (role);

CREATE OR REPLACE FUNCTION public.update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION public.handle_new_user()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    INSERT INTO public.users (id, email, full_name, role)
    VALUES (
        NEW.id,
        NEW.email,
        NEW.raw_user_meta_data ->> 'full_name',
        coalesce((NEW.raw_user_meta_data ->> 'role')::public.user_role, 'student')
    );
    RETURN NEW;
END;
$$;

CREATE TRIGGER on_auth_user_created
    AFTER INSERT ON auth.users
    FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();

CREATE TRIGGER update_users_updated_at
    BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- 20250101000001_courses_and_lessons ---------------------------------------------------------------------
CREATE TABLE public.courses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL,
    slug text NOT NULL UNIQUE,
    description text,
    teacher_id uuid REFERENCES public.users (id) ON DELETE SET NULL,
    price numeric(10,2) NOT NULL DEFAULT 0,
    is_published boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_courses_teacher_id ON public.courses (teacher_id);

CREATE TABLE public.lessons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES public.courses (id) ON DELETE CASCADE,
    title text NOT NULL,
    content text,
    video_url text,
    position integer NOT NULL DEFAULT 0,
    duration_minutes integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_lessons_course_id ON public.lessons (course_id);

CREATE TRIGGER update_courses_updated_at
    BEFORE UPDATE ON public.courses
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
CREATE TRIGGER update_lessons_updated_at
    BEFORE UPDATE ON public.lessons
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- 20250101000002_enrollments_and_progress ----------------------------------------------------------------
CREATE TABLE public.enrollments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES public.courses (id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    progress numeric(5,2) NOT NULL DEFAULT 0,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    UNIQUE (course_id, student_id)
);
CREATE INDEX idx_enrollments_student_id ON public.enrollments (student_id);

-- 20250101000006_live_classes --------------------------------------------------------------------------------
CREATE TABLE public.live_classes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES public.courses (id) ON DELETE CASCADE,
    teacher_id uuid REFERENCES public.users (id) ON DELETE SET NULL,
    title text NOT NULL,
    description text,
    scheduled_at timestamptz NOT NULL,
    duration_minutes integer NOT NULL DEFAULT 60,
    meeting_provider text NOT NULL DEFAULT 'zoom' CHECK (meeting_provider IN ('zoom', 'google_meet')),
    meeting_id text,
    meeting_url text,
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'completed', 'cancelled')),
    recording_url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_live_classes_course_id ON public.live_classes (course_id);
CREATE INDEX idx_live_classes_scheduled_at ON public.live_classes (scheduled_at);
CREATE INDEX idx_live_classes_meeting_id ON public.live_classes (meeting_id);
CREATE INDEX idx_live_classes_teacher_id ON public.live_classes (teacher_id);

CREATE TRIGGER update_live_classes_updated_at
    BEFORE UPDATE ON public.live_classes
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- 20250101000007_notifications -------------------------------------------------------------------------------
CREATE TABLE public.notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    title text NOT NULL,
    message text NOT NULL,
    type text NOT NULL DEFAULT 'info',
    link text,
    is_read boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_notifications_user_id ON public.notifications (user_id);

-- 20250101000008_support_tickets -----------------------------------------------------------------------------
CREATE TABLE public.support_tickets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    assigned_to uuid REFERENCES public.users (id) ON DELETE SET NULL,
    subject text NOT NULL,
    description text NOT NULL,
    category text NOT NULL DEFAULT 'general',
    priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_support_tickets_user_id ON public.support_tickets (user_id);
CREATE INDEX idx_support_tickets_status ON public.support_tickets (status);
CREATE INDEX idx_support_tickets_assigned_to ON public.support_tickets (assigned_to);

CREATE TRIGGER update_support_tickets_updated_at
    BEFORE UPDATE ON public.support_tickets
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- 20250101000011_rls_policies ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.is_admin()
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT EXISTS (SELECT 1 FROM public.users WHERE id = (SELECT auth.uid()) AND role = 'admin');
$$;

CREATE OR REPLACE FUNCTION public.is_teacher_or_admin()
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT EXISTS (SELECT 1 FROM public.users WHERE id = (SELECT auth.uid()) AND role IN ('teacher', 'admin'));
$$;

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.courses ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.lessons ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.enrollments ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.live_classes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.support_tickets ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Users can view own profile" ON public.users
    FOR SELECT TO authenticated USING (id = (SELECT auth.uid()));
CREATE POLICY "Users can update own profile" ON public.users
    FOR UPDATE TO authenticated USING (id = (SELECT auth.uid())) WITH CHECK (id = (SELECT auth.uid()));
CREATE POLICY "Admins can view all users" ON public.users
    FOR SELECT TO authenticated USING ((SELECT public.is_admin()));

CREATE POLICY "Anyone can view published courses" ON public.courses
    FOR SELECT TO anon, authenticated USING (is_published = true);
CREATE POLICY "Teachers can manage own courses" ON public.courses
    FOR ALL TO authenticated USING (teacher_id = (SELECT auth.uid())) WITH CHECK (teacher_id = (SELECT auth.uid()));
CREATE POLICY "Admins can manage all courses" ON public.courses
    FOR ALL TO authenticated USING ((SELECT public.is_admin())) WITH CHECK ((SELECT public.is_admin()));

CREATE POLICY "Enrolled students can view lessons" ON public.lessons
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.enrollments e
                WHERE e.course_id = lessons.course_id AND e.student_id = (SELECT auth.uid()))
    );
CREATE POLICY "Teachers can manage lessons of own courses" ON public.lessons
    FOR ALL TO authenticated USING (
        EXISTS (SELECT 1 FROM public.courses c
                WHERE c.id = lessons.course_id AND c.teacher_id = (SELECT auth.uid()))
    );

CREATE POLICY "Students can view own enrollments" ON public.enrollments
    FOR SELECT TO authenticated USING (student_id = (SELECT auth.uid()));
CREATE POLICY "Students can enroll themselves" ON public.enrollments
    FOR INSERT TO authenticated WITH CHECK (student_id = (SELECT auth.uid()));
CREATE POLICY "Teachers can view enrollments in own courses" ON public.enrollments
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.courses c
                WHERE c.id = enrollments.course_id AND c.teacher_id = (SELECT auth.uid()))
    );

CREATE POLICY "Enrolled students can view live classes" ON public.live_classes
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.enrollments e
                WHERE e.course_id = live_classes.course_id AND e.student_id = (SELECT auth.uid()))
    );
CREATE POLICY "Teachers can manage own live classes" ON public.live_classes
    FOR ALL TO authenticated USING (teacher_id = (SELECT auth.uid()) OR (SELECT public.is_admin()));

CREATE POLICY "Users can view own notifications" ON public.notifications
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));
CREATE POLICY "Users can update own notifications" ON public.notifications
    FOR UPDATE TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));

CREATE POLICY "Users can view own tickets" ON public.support_tickets
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));
CREATE POLICY "Users can create tickets" ON public.support_tickets
    FOR INSERT TO authenticated WITH CHECK (user_id = (SELECT auth.uid()));
CREATE POLICY "Users can update own tickets" ON public.support_tickets
    FOR UPDATE TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));
CREATE POLICY "Staff can manage all tickets" ON public.support_tickets
    FOR ALL TO authenticated USING ((SELECT public.is_admin())) WITH CHECK ((SELECT public.is_admin()));

-- 20250101000015_video_integrations ------------------------------------------------------------------------
CREATE TABLE public.zoom_integrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL UNIQUE REFERENCES public.users (id) ON DELETE CASCADE,
    zoom_user_id text NOT NULL,
    access_token text NOT NULL,
    refresh_token text NOT NULL,
    token_expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.meeting_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    live_class_id uuid NOT NULL REFERENCES public.live_classes (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('zoom', 'google_meet')),
    meeting_id text NOT NULL,
    start_time timestamptz,
    end_time timestamptz,
    participant_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_meeting_sessions_live_class_id ON public.meeting_sessions (live_class_id);

ALTER TABLE public.zoom_integrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.meeting_sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Users can manage own zoom integration" ON public.zoom_integrations
    FOR ALL TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));
CREATE POLICY "Teachers and admins can view meeting sessions" ON public.meeting_sessions
    FOR SELECT TO authenticated USING ((SELECT public.is_teacher_or_admin()));

CREATE TRIGGER update_zoom_integrations_updated_at
    BEFORE UPDATE ON public.zoom_integrations
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- Migration history (supabase db push) ----------------------------------------------------------------------------
INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES
    ('20250101000000', 'initial_schema', NULL),
    ('20250101000001', 'courses_and_lessons', NULL),
    ('20250101000002', 'enrollments_and_progress', NULL),
    ('20250101000003', 'assessments', NULL),
    ('20250101000004', 'certificates', NULL),
    ('20250101000005', 'payments', NULL),
    ('20250101000006', 'live_classes', NULL),
    ('20250101000007', 'notifications', NULL),
    ('20250101000008', 'support_tickets', NULL),
    ('20250101000009', 'content_library', NULL),
    ('20250101000010', 'subjects', NULL),
    ('20250101000011', 'rls_policies', NULL),
    ('20250101000012', 'functions_and_triggers', NULL),
    ('20250101000013', 'lesson_qa_and_achievements', NULL),
    ('20250101000014', 'email_system', NULL),
    ('20250101000015', 'video_integrations', NULL),
    ('20250101000016', 'bookmarks_and_drafts', NULL),
    ('20250101000017', 'performance_indexes', NULL);

-- Production data -----------------------------------------------------------------------------------------------
-- 420 sign-ups: users 1-3 admins, 4-28 teachers, 29-68 parents, 69-420 students. Inserting into
-- auth.users fires on_auth_user_created, which creates the public.users rows.
INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
SELECT '00000000-0000-0000-0000-000000000000'::uuid,
       md5('lms-user:' || u)::uuid,
       'authenticated', 'authenticated',
       'user' || u || '@school.example.com',
       '$2a$10$' || substr(md5('salt' || u) || md5('hash' || u), 1, 53),
       timestamptz '2025-08-01 09:00+00' + u * interval '3 hours',
       timestamptz '2025-11-01 09:00+00' + u * interval '17 minutes',
       '{"provider": "email", "providers": ["email"]}'::jsonb,
       jsonb_build_object(
           'full_name', (ARRAY['Ana', 'Ben', 'Chloe', 'Dev', 'Ema', 'Femi', 'Gus', 'Hana'])[u % 8 + 1] || ' '
                        || (ARRAY['Moreau', 'Ivanova', 'Nakamura', 'Adeyemi', 'Rossi', 'Lund'])[u % 6 + 1],
           'role', CASE WHEN u <= 3 THEN 'admin' WHEN u <= 28 THEN 'teacher' WHEN u <= 68 THEN 'parent' ELSE 'student' END),
       timestamptz '2025-08-01 09:00+00' + u * interval '3 hours',
       timestamptz '2025-08-01 09:00+00' + u * interval '3 hours'
FROM generate_series(1, 420) AS g(u);

-- Give the profiles their sign-up times and some avatars, without the updated_at trigger
-- stamping now() on every row.
ALTER TABLE public.users DISABLE TRIGGER update_users_updated_at;
UPDATE public.users p
   SET created_at = a.created_at,
       updated_at = a.created_at,
       profile_pic = CASE WHEN substr(a.email, 5, 1) IN ('1', '3', '5')
                          THEN 'https://cdn.school.example.com/avatars/' || p.id || '.png' END
  FROM auth.users a
 WHERE a.id = p.id;
ALTER TABLE public.users ENABLE TRIGGER update_users_updated_at;

-- 40 courses; course c is taught by teacher 4 + (c - 1) % 25.
INSERT INTO public.courses (id, title, slug, description, teacher_id, price, is_published, created_at, updated_at)
SELECT md5('course:' || c)::uuid,
       (ARRAY['Algebra', 'Biology', 'Chemistry', 'World History', 'Literature', 'Physics', 'Spanish', 'Computer Science'])[c % 8 + 1]
           || ' ' || (c / 8 + 1),
       'course-' || c,
       'Course ' || c || ' description',
       md5('lms-user:' || (4 + (c - 1) % 25))::uuid,
       CASE WHEN c % 4 = 0 THEN 0 ELSE 29.00 + (c % 5) * 10 END,
       c % 5 <> 0,
       timestamptz '2025-08-15 09:00+00' + c * interval '1 day',
       timestamptz '2025-08-15 09:00+00' + c * interval '1 day'
FROM generate_series(1, 40) AS g(c);

INSERT INTO public.lessons (id, course_id, title, content, video_url, position, duration_minutes, created_at, updated_at)
SELECT md5('lesson:' || l)::uuid,
       md5('course:' || ((l - 1) % 40 + 1))::uuid,
       'Lesson ' || ((l - 1) / 40 + 1),
       'Lesson content ' || md5('lesson-body:' || l),
       CASE WHEN l % 3 = 0 THEN 'https://video.school.example.com/' || md5('video:' || l) END,
       (l - 1) / 40 + 1,
       20 + l % 40,
       timestamptz '2025-08-20 09:00+00' + l * interval '2 hours',
       timestamptz '2025-08-20 09:00+00' + l * interval '2 hours'
FROM generate_series(1, 400) AS g(l);

-- 2000 enrollments: student 69 + (e - 1) % 352 in six different courses.
INSERT INTO public.enrollments (id, course_id, student_id, progress, enrolled_at, completed_at)
SELECT md5('enrollment:' || e)::uuid,
       md5('course:' || ((((e - 1) / 352) * 7 + (e - 1) % 352) % 40 + 1))::uuid,
       md5('lms-user:' || (69 + (e - 1) % 352))::uuid,
       (e * 37 % 101)::numeric,
       timestamptz '2025-09-01 08:00+00' + e * interval '41 minutes',
       CASE WHEN e * 37 % 101 = 100 THEN timestamptz '2025-11-01 08:00+00' + e * interval '41 minutes' END
FROM generate_series(1, 2000) AS g(e);

-- 240 live classes, the first 180 already held.
INSERT INTO public.live_classes (id, course_id, teacher_id, title, scheduled_at, duration_minutes, meeting_provider,
                                 meeting_id, meeting_url, status, recording_url, created_at, updated_at)
SELECT md5('live-class:' || i)::uuid,
       md5('course:' || ((i - 1) % 40 + 1))::uuid,
       md5('lms-user:' || (4 + ((i - 1) % 40) % 25))::uuid,
       'Live session ' || i,
       timestamptz '2025-09-01 15:00+00' + i * interval '14 hours',
       CASE WHEN i % 4 = 0 THEN 90 ELSE 60 END,
       CASE WHEN i % 6 = 0 THEN 'google_meet' ELSE 'zoom' END,
       CASE WHEN i % 6 = 0 THEN substr(md5('meet:' || i), 1, 3) || '-' || substr(md5('meet:' || i), 4, 4) || '-' || substr(md5('meet:' || i), 8, 3)
            ELSE (8000000000 + i * 7919)::text END,
       CASE WHEN i % 6 = 0 THEN 'https://meet.google.com/' || substr(md5('meet:' || i), 1, 3) || '-' || substr(md5('meet:' || i), 4, 4) || '-' || substr(md5('meet:' || i), 8, 3)
            ELSE 'https://zoom.us/j/' || (8000000000 + i * 7919) END,
       CASE WHEN i <= 170 THEN 'completed' WHEN i <= 180 THEN 'cancelled' ELSE 'scheduled' END,
       CASE WHEN i <= 170 AND i % 2 = 0 THEN 'https://video.school.example.com/recordings/' || md5('rec:' || i) END,
       timestamptz '2025-08-25 09:00+00' + i * interval '5 hours',
       timestamptz '2025-08-25 09:00+00' + i * interval '5 hours'
FROM generate_series(1, 240) AS g(i);

INSERT INTO public.meeting_sessions (id, live_class_id, provider, meeting_id, start_time, end_time, participant_count, created_at)
SELECT md5('meeting-session:' || i)::uuid,
       lc.id, lc.meeting_provider, lc.meeting_id,
       lc.scheduled_at + (i % 7) * interval '1 minute',
       lc.scheduled_at + lc.duration_minutes * interval '1 minute',
       10 + i % 35,
       lc.scheduled_at
FROM generate_series(1, 170) AS g(i)
JOIN public.live_classes lc ON lc.id = md5('live-class:' || i)::uuid;

INSERT INTO public.zoom_integrations (id, user_id, zoom_user_id, access_token, refresh_token, token_expires_at, created_at, updated_at)
SELECT md5('zoom:' || t)::uuid,
       md5('lms-user:' || t)::uuid,
       substr(md5('zoom-user:' || t), 1, 22),
       'eyJ' || md5('access:' || t) || md5('access2:' || t),
       'eyJ' || md5('refresh:' || t),
       timestamptz '2025-12-01 09:00+00' + t * interval '1 hour',
       timestamptz '2025-08-20 09:00+00' + t * interval '1 hour',
       timestamptz '2025-08-20 09:00+00' + t * interval '1 hour'
FROM generate_series(4, 28) AS g(t);

-- 600 support tickets from parents and students.
INSERT INTO public.support_tickets (id, user_id, assigned_to, subject, description, category, priority, status, created_at, updated_at)
SELECT md5('ticket:' || t)::uuid,
       md5('lms-user:' || (29 + (t * 13) % 392))::uuid,
       CASE WHEN t % 5 = 0 THEN NULL ELSE md5('lms-user:' || (1 + t % 3))::uuid END,
       (ARRAY['Cannot join live class', 'Payment failed', 'Certificate not generated', 'Video does not load', 'Wrong grade shown'])[t % 5 + 1],
       'Ticket ' || t || ': ' || md5('ticket-body:' || t),
       (ARRAY['technical', 'billing', 'course', 'account'])[t % 4 + 1],
       (ARRAY['low', 'medium', 'medium', 'high', 'urgent'])[t % 5 + 1],
       (ARRAY['open', 'in_progress', 'waiting', 'resolved', 'closed', 'closed'])[t % 6 + 1],
       timestamptz '2025-09-05 10:00+00' + t * interval '3 hours',
       timestamptz '2025-09-05 10:00+00' + t * interval '3 hours' + (t % 9) * interval '1 day'
FROM generate_series(1, 600) AS g(t);

INSERT INTO public.notifications (id, user_id, title, message, type, link, is_read, created_at)
SELECT md5('notification:' || n)::uuid,
       md5('lms-user:' || (1 + (n * 7) % 420))::uuid,
       (ARRAY['Live class starting soon', 'New lesson published', 'Assignment graded', 'Ticket updated'])[n % 4 + 1],
       'Notification ' || n,
       (ARRAY['info', 'reminder', 'success', 'info'])[n % 4 + 1],
       '/dashboard',
       n % 3 <> 0,
       timestamptz '2025-09-01 07:00+00' + n * interval '53 minutes'
FROM generate_series(1, 1500) AS g(n);
