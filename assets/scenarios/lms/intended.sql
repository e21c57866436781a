-- LMS on Supabase -- the database as it should be after all 20 migrations in supabase/migrations,
-- 20250101000018_add_critical_missing_tables and 20250101000019_missing_rls_policies included.
-- Expects supabase-standin.sql to have run first (roles anon/authenticated/service_role, auth.*,
-- supabase_migrations, and Supabase's default grants on schema public).
-- The real project has 67 tables; this file models the tables the write-up touches and the core
-- tables they reference (users, courses, lessons, enrollments, live_classes, support_tickets,
-- notifications, zoom_integrations, meeting_sessions), laid out migration by migration.

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

-- 20250101000018_add_critical_missing_tables -------------------------------------------------------------------
-- Zoom / Google Meet participant tracking (app/api/webhooks/zoom/route.ts)
CREATE TABLE public.meeting_participants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id text NOT NULL,
    participant_id text,
    user_email text,
    user_name text,
    join_time timestamptz,
    leave_time timestamptz,
    duration integer DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.meeting_participants IS 'Zoom/Google Meet participants, written by the meeting webhooks';

-- Customer satisfaction surveys (app/api/support/tickets/[id]/survey/route.ts)
CREATE TABLE public.ticket_surveys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL REFERENCES public.support_tickets (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    rating integer CHECK (rating BETWEEN 1 AND 5),
    satisfaction text CHECK (satisfaction IN ('very_dissatisfied', 'dissatisfied', 'neutral', 'satisfied', 'very_satisfied')),
    feedback text,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_surveys_ticket_id_user_id_key UNIQUE (ticket_id, user_id)
);
COMMENT ON TABLE public.ticket_surveys IS 'Satisfaction survey a user fills in when a support ticket is resolved';

-- Support ticket messages (app/api/support/tickets/[id]/reply and /close)
CREATE TABLE public.ticket_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL REFERENCES public.support_tickets (id) ON DELETE CASCADE,
    user_id uuid REFERENCES public.users (id) ON DELETE SET NULL,
    message text NOT NULL,
    is_staff boolean NOT NULL DEFAULT false,
    attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.ticket_messages IS 'Messages on a support ticket (user replies and close reasons)';

-- Threaded ticket replies (app/api/support/tickets/[id]/route.ts embeds users(full_name, profile_pic))
CREATE TABLE public.ticket_replies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL REFERENCES public.support_tickets (id) ON DELETE CASCADE,
    user_id uuid REFERENCES public.users (id) ON DELETE SET NULL,
    message text NOT NULL,
    is_staff boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.ticket_replies IS 'Threaded conversation history of a support ticket';

-- Ticket file attachments (app/api/support/tickets/route.ts, [id]/route.ts)
CREATE TABLE public.ticket_attachments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL REFERENCES public.support_tickets (id) ON DELETE CASCADE,
    reply_id uuid REFERENCES public.ticket_replies (id) ON DELETE CASCADE,
    file_name text NOT NULL,
    file_url text NOT NULL,
    file_size bigint,
    content_type text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.ticket_attachments IS 'Files attached to a ticket or to one of its replies';

ALTER TABLE public.support_tickets
    ADD COLUMN survey_completed boolean DEFAULT false,
    ADD COLUMN closed_at timestamptz;
COMMENT ON COLUMN public.support_tickets.survey_completed IS 'The user completed the satisfaction survey';
COMMENT ON COLUMN public.support_tickets.closed_at IS 'When the ticket was closed';

ALTER TABLE public.live_classes
    ADD COLUMN recording_status text DEFAULT 'not_started'
        CHECK (recording_status IN ('not_started', 'recording', 'stopped', 'processing', 'available')),
    ADD COLUMN actual_start_time timestamptz,
    ADD COLUMN actual_end_time timestamptz;
COMMENT ON COLUMN public.live_classes.recording_status IS 'not_started, recording, stopped, processing or available';
COMMENT ON COLUMN public.live_classes.actual_start_time IS 'Actual start time reported by the meeting webhook';
COMMENT ON COLUMN public.live_classes.actual_end_time IS 'Actual end time reported by the meeting webhook';

CREATE INDEX idx_meeting_participants_meeting_id ON public.meeting_participants (meeting_id);
CREATE INDEX idx_meeting_participants_user_email ON public.meeting_participants (user_email);
CREATE INDEX idx_meeting_participants_join_time ON public.meeting_participants (join_time);
CREATE INDEX idx_ticket_surveys_ticket_id ON public.ticket_surveys (ticket_id);
CREATE INDEX idx_ticket_surveys_user_id ON public.ticket_surveys (user_id);
CREATE INDEX idx_ticket_messages_ticket_id ON public.ticket_messages (ticket_id);
CREATE INDEX idx_ticket_messages_user_id ON public.ticket_messages (user_id);
CREATE INDEX idx_ticket_replies_ticket_id ON public.ticket_replies (ticket_id);
CREATE INDEX idx_ticket_replies_user_id ON public.ticket_replies (user_id);
CREATE INDEX idx_ticket_attachments_ticket_id ON public.ticket_attachments (ticket_id);
CREATE INDEX idx_ticket_attachments_reply_id ON public.ticket_attachments (reply_id);

-- 20250101000019_missing_rls_policies ---------------------------------------------------------------------------
ALTER TABLE public.meeting_participants ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_surveys ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_replies ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_attachments ENABLE ROW LEVEL SECURITY;

-- Meeting participants (3)
CREATE POLICY "Teachers and admins can view all participants" ON public.meeting_participants
    FOR SELECT TO authenticated USING ((SELECT public.is_teacher_or_admin()));
CREATE POLICY "System can insert participant records" ON public.meeting_participants
    FOR INSERT TO service_role WITH CHECK (true);
CREATE POLICY "System can update participant records" ON public.meeting_participants
    FOR UPDATE TO service_role USING (true) WITH CHECK (true);

-- Ticket surveys (4)
CREATE POLICY "Users can view own surveys" ON public.ticket_surveys
    FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));
CREATE POLICY "Users can create surveys for their tickets" ON public.ticket_surveys
    FOR INSERT TO authenticated WITH CHECK (
        user_id = (SELECT auth.uid())
        AND EXISTS (SELECT 1 FROM public.support_tickets t
                    WHERE t.id = ticket_surveys.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Users can update own surveys" ON public.ticket_surveys
    FOR UPDATE TO authenticated USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));
CREATE POLICY "Admins can view all surveys" ON public.ticket_surveys
    FOR SELECT TO authenticated USING ((SELECT public.is_admin()));

-- Ticket messages (4)
CREATE POLICY "Users can view messages for their tickets" ON public.ticket_messages
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.support_tickets t
                WHERE t.id = ticket_messages.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Users can create messages for their tickets" ON public.ticket_messages
    FOR INSERT TO authenticated WITH CHECK (
        user_id = (SELECT auth.uid())
        AND is_staff = false
        AND EXISTS (SELECT 1 FROM public.support_tickets t
                    WHERE t.id = ticket_messages.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Staff can view all messages" ON public.ticket_messages
    FOR SELECT TO authenticated USING ((SELECT public.is_admin()));
CREATE POLICY "Staff can create messages" ON public.ticket_messages
    FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_admin()));

-- Ticket replies (4)
CREATE POLICY "Users can view replies for their tickets" ON public.ticket_replies
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.support_tickets t
                WHERE t.id = ticket_replies.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Users can create replies for their tickets" ON public.ticket_replies
    FOR INSERT TO authenticated WITH CHECK (
        user_id = (SELECT auth.uid())
        AND is_staff = false
        AND EXISTS (SELECT 1 FROM public.support_tickets t
                    WHERE t.id = ticket_replies.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Staff can view all replies" ON public.ticket_replies
    FOR SELECT TO authenticated USING ((SELECT public.is_admin()));
CREATE POLICY "Staff can create replies" ON public.ticket_replies
    FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_admin()));

-- Ticket attachments (4)
CREATE POLICY "Users can view attachments for their tickets" ON public.ticket_attachments
    FOR SELECT TO authenticated USING (
        EXISTS (SELECT 1 FROM public.support_tickets t
                WHERE t.id = ticket_attachments.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Users can upload attachments for their tickets" ON public.ticket_attachments
    FOR INSERT TO authenticated WITH CHECK (
        EXISTS (SELECT 1 FROM public.support_tickets t
                WHERE t.id = ticket_attachments.ticket_id AND t.user_id = (SELECT auth.uid()))
    );
CREATE POLICY "Staff can view all attachments" ON public.ticket_attachments
    FOR SELECT TO authenticated USING ((SELECT public.is_admin()));
CREATE POLICY "Staff can upload attachments" ON public.ticket_attachments
    FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_admin()));

-- Keep the parent ticket's updated_at current when a message or reply arrives.
CREATE OR REPLACE FUNCTION public.update_ticket_on_message()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    UPDATE public.support_tickets
       SET updated_at = now()
     WHERE id = NEW.ticket_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ticket_message_update_trigger
    AFTER INSERT ON public.ticket_messages
    FOR EACH ROW
    EXECUTE FUNCTION public.update_ticket_on_message();

CREATE TRIGGER ticket_reply_update_trigger
    AFTER INSERT ON public.ticket_replies
    FOR EACH ROW
    EXECUTE FUNCTION public.update_ticket_on_message();

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
    ('20250101000017', 'performance_indexes', NULL),
    ('20250101000018', 'add_critical_missing_tables', NULL),
    ('20250101000019', 'missing_rls_policies', NULL);
