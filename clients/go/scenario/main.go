// The shared client scenario (clients/SCENARIO.md) in Go: prints its JSON-lines transcript.
//
// Usage: $(clients/go/generate.sh OUT | tail -1) HOST:PORT ADMIN_PASSWORD TAG
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	v1 "branchline/gen/branchline/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const password = "password-123"

// codeNames are the canonical gRPC code names (codes.Code.String() says "InvalidArgument").
var codeNames = map[codes.Code]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN",
	codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
	codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED",
	codes.OutOfRange: "OUT_OF_RANGE", codes.Unimplemented: "UNIMPLEMENTED",
	codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE", codes.DataLoss: "DATA_LOSS",
	codes.Unauthenticated: "UNAUTHENTICATED",
}

// stepFailed stops the scenario when a step's outcome differs from the expected one.
type stepFailed struct{ step string }

// values is an ordered list of key/value pairs, printed as a JSON object in that order.
type values []any

func (v values) MarshalJSON() ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	for i := 0; i+1 < len(v); i += 2 {
		if i > 0 {
			out.WriteByte(',')
		}
		key, err := marshal(v[i])
		if err != nil {
			return nil, err
		}
		value, err := marshal(v[i+1])
		if err != nil {
			return nil, err
		}
		out.Write(key)
		out.WriteByte(':')
		out.Write(value)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping (the transcript compares raw text too).
func marshal(v any) ([]byte, error) {
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

func emit(step, code string, extra values) {
	line, err := marshal(append(values{"step", step, "status", code}, extra...))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
}

func codeName(err error) string {
	return codeNames[status.Code(err)]
}

// violationField is the field named by the google.rpc.BadRequest detail of err, or "".
func violationField(err error) any {
	for _, detail := range status.Convert(err).Details() {
		if bad, ok := detail.(*errdetails.BadRequest); ok && len(bad.FieldViolations) > 0 {
			return bad.FieldViolations[0].Field
		}
	}
	return nil
}

func expectOk[T any](step string, call func() (T, error), describe func(T) values) T {
	answer, err := call()
	if err != nil {
		emit(step, codeName(err), nil)
		panic(stepFailed{step})
	}
	emit(step, "OK", describe(answer))
	return answer
}

func expectRefusal[T any](step string, call func() (T, error), code codes.Code, withField bool) {
	_, err := call()
	if err == nil {
		emit(step, "OK", nil)
		panic(stepFailed{step})
	}
	var extra values
	if withField {
		extra = values{"field", violationField(err)}
	}
	emit(step, codeName(err), extra)
	if status.Code(err) != code {
		panic(stepFailed{step})
	}
}

// client is one signed-in user: stubs on the shared connection and the user's token.
type client struct {
	conn   *grpc.ClientConn
	token  string
	person *v1.Person
}

func (c *client) signIn(login, pass string) (*v1.SignInResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	response, err := v1.NewAuthServiceClient(c.conn).SignIn(ctx, &v1.SignInRequest{Login: login, Password: pass})
	if err == nil {
		c.token = response.AccessToken
		c.person = response.Person
	}
	return response, err
}

// ctx is a 10 s deadline carrying the user's token; the cancel runs when the deadline passes.
func (c *client) ctx() context.Context {
	ctx, _ := context.WithTimeout(context.Background(), 10*time.Second) //nolint:govet
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
}

func requestID() string {
	var b [16]byte
	if f, err := os.Open("/dev/urandom"); err == nil {
		defer f.Close()
		_, _ = f.Read(b[:])
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func mistyped(code string) string {
	var out strings.Builder
	for _, d := range code {
		out.WriteRune('0' + (d-'0'+5)%10)
	}
	return out.String()
}

func run(conn *grpc.ClientConn, adminPassword, tag string) {
	admin, host, member := &client{conn: conn}, &client{conn: conn}, &client{conn: conn}
	expectOk("sign_in", func() (*v1.SignInResponse, error) { return admin.signIn("admin", adminPassword) },
		func(*v1.SignInResponse) values { return values{"who", "admin"} })

	orgs := v1.NewOrganizationServiceClient(conn)
	branch := expectOk("create_branch", func() (*v1.Organization, error) {
		return orgs.CreateOrganization(admin.ctx(), &v1.CreateOrganizationRequest{
			RequestId: requestID(), Organization: &v1.Organization{
				ParentId: admin.person.OrganizationId, Name: "运输四队党支部",
				Kind: v1.OrganizationKind_ORGANIZATION_KIND_BRANCH}})
	}, func(o *v1.Organization) values {
		return values{"name", o.Name, "kind", o.Kind.String(), "utc_offset_minutes", o.UtcOffsetMinutes}
	})

	people := v1.NewPersonServiceClient(conn)
	for _, p := range []struct {
		name, who string
		role      v1.Role
	}{{"王书记", "host", v1.Role_ROLE_SECRETARY}, {"张师傅", "member", v1.Role_ROLE_FULL_MEMBER}} {
		expectOk("create_person", func() (*v1.Person, error) {
			return people.CreatePerson(admin.ctx(), &v1.CreatePersonRequest{
				RequestId: requestID(), InitialPassword: password, Person: &v1.Person{
					OrganizationId: branch.Id, DisplayName: p.name, EmployeeNumber: tag + "-" + p.who, Role: p.role}})
		}, func(created *v1.Person) values {
			return values{"name", created.DisplayName, "role", created.Role.String()}
		})
	}
	for _, signIn := range []struct {
		who string
		c   *client
	}{{"host", host}, {"member", member}} {
		expectOk("sign_in", func() (*v1.SignInResponse, error) { return signIn.c.signIn(tag+"-"+signIn.who, password) },
			func(r *v1.SignInResponse) values { return values{"who", signIn.who, "name", r.Person.DisplayName} })
	}

	attendance := v1.NewAttendanceServiceClient(conn)
	start := time.Now().Add(10 * time.Minute)
	meeting := expectOk("schedule_meeting", func() (*v1.Meeting, error) {
		return attendance.CreateMeeting(host.ctx(), &v1.CreateMeetingRequest{
			RequestId: requestID(), Meeting: &v1.Meeting{
				OrganizationId: branch.Id, Type: v1.MeetingType_MEETING_TYPE_SAFETY_MEETING, Title: "周一安全例会",
				StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour))}})
	}, func(m *v1.Meeting) values {
		return values{"title", m.Title, "type", m.Type.String(), "late_after_minutes", m.Window.GetLateAfterMinutes()}
	})

	code := expectOk("get_check_in_code", func() (*v1.CheckInCode, error) {
		return attendance.GetCheckInCode(host.ctx(), &v1.GetCheckInCodeRequest{MeetingId: meeting.Id})
	}, func(c *v1.CheckInCode) values {
		return values{"code_digits", utf8.RuneCountInString(c.Code), "has_qr_svg", strings.Contains(c.QrSvg, "<svg")}
	})

	checkIn := func(typed string) func() (*v1.CheckInResponse, error) {
		return func() (*v1.CheckInResponse, error) {
			now := timestamppb.Now()
			return attendance.CheckIn(member.ctx(), &v1.CheckInRequest{
				RequestId: requestID(), MeetingId: meeting.Id, DeviceTime: now,
				Method: &v1.CheckInRequest_Code{Code: &v1.CodeCheckIn{Code: typed, CapturedTime: now}}})
		}
	}
	expectRefusal("check_in_wrong_code", checkIn(mistyped(code.Code)), codes.InvalidArgument, true)
	expectOk("check_in", checkIn(code.Code), func(r *v1.CheckInResponse) values {
		return values{"attendance", r.Record.Status.String(), "method", r.Record.Method.String()}
	})

	study := v1.NewStudyServiceClient(conn)
	material := expectOk("create_material", func() (*v1.Material, error) {
		return study.CreateMaterial(host.ctx(), &v1.CreateMaterialRequest{
			RequestId: requestID(), Material: &v1.Material{
				OrganizationId: branch.Id, Kind: v1.MaterialKind_MATERIAL_KIND_BOOK, Title: "中国共产党章程",
				Body: "第一章 党员", EstimatedMinutes: 120}})
	}, func(m *v1.Material) values { return values{"title", m.Title, "kind", m.Kind.String()} })
	expectOk("record_study", func() (*v1.StudyRecord, error) {
		return study.RecordStudy(member.ctx(), &v1.RecordStudyRequest{
			RequestId: requestID(), MaterialId: material.Id, Minutes: 45, Notes: "收车后学习党章第一章🚚",
			DeviceTime: timestamppb.New(time.Now().Add(-time.Minute))})
	}, func(r *v1.StudyRecord) values { return values{"minutes", r.Minutes, "notes_chars", r.NotesChars} })

	mailbox := v1.NewFeedbackServiceClient(conn)
	for _, l := range []struct {
		anonymous     bool
		category      v1.LetterCategory
		subject, body string
	}{
		{false, v1.LetterCategory_LETTER_CATEGORY_SUGGESTION, "建议在服务区增设休息室", "长途司机中途休息不便。"},
		{true, v1.LetterCategory_LETTER_CATEGORY_DIFFICULTY, "连续夜班休息不足", "这个月连着跑了六个夜班。"},
	} {
		expectOk("submit_letter", func() (*v1.SubmitLetterResponse, error) {
			return mailbox.SubmitLetter(member.ctx(), &v1.SubmitLetterRequest{
				RequestId: requestID(), Category: l.category, Subject: l.subject, Body: l.body, Anonymous: l.anonymous})
		}, func(r *v1.SubmitLetterResponse) values {
			v := values{"anonymous", r.Letter.Anonymous, "category", r.Letter.Category.String(),
				"state", r.Letter.State.String()}
			if l.anonymous {
				v = append(v, "author_recorded", r.Letter.AuthorPersonId != 0)
			} else {
				v = append(v, "author_is_caller", r.Letter.AuthorPersonId == member.person.Id)
			}
			return append(v, "receipt_code_issued", r.ReceiptCode != "")
		})
	}

	rosterOf := func(c *client) func() (*v1.Roster, error) {
		return func() (*v1.Roster, error) {
			return attendance.GetRoster(c.ctx(), &v1.GetRosterRequest{MeetingId: meeting.Id})
		}
	}
	expectOk("read_roster", rosterOf(host), func(r *v1.Roster) values {
		roster := map[string]string{}
		for _, e := range r.Entries {
			roster[e.DisplayName] = e.Status.String()
		}
		return values{"roster", roster, "expected", r.Counts.GetExpected(), "present", r.Counts.GetPresent(),
			"absent", r.Counts.GetAbsent()}
	})
	expectOk("read_progress", func() (*v1.StudyProgress, error) {
		return study.GetStudyProgress(host.ctx(), &v1.GetStudyProgressRequest{PersonId: member.person.Id, Year: 0})
	}, func(p *v1.StudyProgress) values {
		return values{"total_minutes", p.TotalMinutes, "notes_chars", p.NotesChars, "study_days", p.StudyDays}
	})
	expectRefusal("member_reads_roster", rosterOf(member), codes.PermissionDenied, false)
}

func main() {
	address, adminPassword, tag := os.Args[1], os.Args[2], os.Args[3]
	// Debian's grpc-go 1.33 predates insecure.NewCredentials().
	conn, err := grpc.Dial(address, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer func() {
		conn.Close()
		if r := recover(); r != nil {
			failed, ok := r.(stepFailed)
			if !ok {
				panic(r)
			}
			fmt.Fprintln(os.Stderr, "scenario failed at step", failed.step)
			os.Exit(1)
		}
	}()
	run(conn, adminPassword, tag)
}
