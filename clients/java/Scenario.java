// The shared client scenario (clients/SCENARIO.md) in Java: prints its JSON-lines transcript.
//
// Usage: java -cp "$(clients/java/generate.sh OUT | tail -1)" org.branchline.clients.Scenario \
//            HOST:PORT ADMIN_PASSWORD TAG
package org.branchline.clients;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.branchline.v1.*;

public final class Scenario {
  private static final String PASSWORD = "password-123";
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  /** A step whose outcome differs from the scenario's: stops the run. */
  private static final class StepFailed extends RuntimeException {
    StepFailed(String step) {
      super(step);
    }
  }

  /** One signed-in user: the token goes on every call through a header interceptor. */
  private static final class Client {
    final AuthServiceGrpc.AuthServiceBlockingStub auth;
    final ManagedChannel channel;
    Person person;
    Metadata headers;

    Client(ManagedChannel channel) {
      this.channel = channel;
      this.auth = AuthServiceGrpc.newBlockingStub(channel);
    }

    SignInResponse signIn(String login, String password) {
      SignInResponse response = deadline(auth).signIn(
          SignInRequest.newBuilder().setLogin(login).setPassword(password).build());
      headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + response.getAccessToken());
      person = response.getPerson();
      return response;
    }

    /** A stub carrying this user's token and a 10 s deadline. */
    <S extends AbstractStub<S>> S as(S stub) {
      return deadline(stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
    }
  }

  private static <S extends AbstractStub<S>> S deadline(S stub) {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public static void main(String[] args) {
    String address = args[0];
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    int exit = 0;
    try {
      run(channel, args[1], args[2]);
    } catch (StepFailed failed) {
      System.err.println("scenario failed at step " + failed.getMessage());
      exit = 1;
    } finally {
      channel.shutdownNow();
    }
    System.exit(exit);
  }

  private static void run(ManagedChannel channel, String adminPassword, String tag) {
    Client admin = new Client(channel);
    Client host = new Client(channel);
    Client member = new Client(channel);
    expectOk("sign_in", () -> admin.signIn("admin", adminPassword), r -> values("who", "admin"));

    Organization branch = expectOk("create_branch",
        () -> admin.as(OrganizationServiceGrpc.newBlockingStub(channel)).createOrganization(
            CreateOrganizationRequest.newBuilder().setRequestId(requestId())
                .setOrganization(Organization.newBuilder()
                    .setParentId(admin.person.getOrganizationId()).setName("运输四队党支部")
                    .setKind(OrganizationKind.ORGANIZATION_KIND_BRANCH))
                .build()),
        o -> values("name", o.getName(), "kind", o.getKind().name(), "utc_offset_minutes",
            o.getUtcOffsetMinutes()));

    Object[][] people = {{"王书记", Role.ROLE_SECRETARY, "host"}, {"张师傅", Role.ROLE_FULL_MEMBER, "member"}};
    for (Object[] p : people) {
      expectOk("create_person",
          () -> admin.as(PersonServiceGrpc.newBlockingStub(channel)).createPerson(
              CreatePersonRequest.newBuilder().setRequestId(requestId()).setInitialPassword(PASSWORD)
                  .setPerson(Person.newBuilder().setOrganizationId(branch.getId())
                      .setDisplayName((String) p[0]).setEmployeeNumber(tag + "-" + p[2])
                      .setRole((Role) p[1]))
                  .build()),
          created -> values("name", created.getDisplayName(), "role", created.getRole().name()));
    }
    for (Map.Entry<String, Client> who : Map.of("host", host, "member", member).entrySet().stream()
             .sorted(Map.Entry.comparingByKey()).toList()) {
      expectOk("sign_in", () -> who.getValue().signIn(tag + "-" + who.getKey(), PASSWORD),
          r -> values("who", who.getKey(), "name", r.getPerson().getDisplayName()));
    }

    AttendanceServiceGrpc.AttendanceServiceBlockingStub attendance =
        AttendanceServiceGrpc.newBlockingStub(channel);
    long start = System.currentTimeMillis() + 10 * 60 * 1000;
    Meeting meeting = expectOk("schedule_meeting",
        () -> host.as(attendance).createMeeting(CreateMeetingRequest.newBuilder()
            .setRequestId(requestId())
            .setMeeting(Meeting.newBuilder().setOrganizationId(branch.getId())
                .setType(MeetingType.MEETING_TYPE_SAFETY_MEETING).setTitle("周一安全例会")
                .setStartTime(timestamp(start)).setEndTime(timestamp(start + 3600 * 1000)))
            .build()),
        m -> values("title", m.getTitle(), "type", m.getType().name(), "late_after_minutes",
            m.getWindow().getLateAfterMinutes()));

    CheckInCode code = expectOk("get_check_in_code",
        () -> host.as(attendance).getCheckInCode(
            GetCheckInCodeRequest.newBuilder().setMeetingId(meeting.getId()).build()),
        c -> values("code_digits", c.getCode().codePointCount(0, c.getCode().length()),
            "has_qr_svg", c.getQrSvg().contains("<svg")));

    Function<String, CheckInResponse> checkIn = typed -> {
      Timestamp now = timestamp(System.currentTimeMillis());
      return member.as(attendance).checkIn(CheckInRequest.newBuilder().setRequestId(requestId())
          .setMeetingId(meeting.getId()).setDeviceTime(now)
          .setCode(CodeCheckIn.newBuilder().setCode(typed).setCapturedTime(now))
          .build());
    };
    expectRefusal("check_in_wrong_code", () -> checkIn.apply(mistyped(code.getCode())),
        Status.Code.INVALID_ARGUMENT, true);
    expectOk("check_in", () -> checkIn.apply(code.getCode()),
        r -> values("attendance", r.getRecord().getStatus().name(), "method",
            r.getRecord().getMethod().name()));

    StudyServiceGrpc.StudyServiceBlockingStub study = StudyServiceGrpc.newBlockingStub(channel);
    Material material = expectOk("create_material",
        () -> host.as(study).createMaterial(CreateMaterialRequest.newBuilder()
            .setRequestId(requestId())
            .setMaterial(Material.newBuilder().setOrganizationId(branch.getId())
                .setKind(MaterialKind.MATERIAL_KIND_BOOK).setTitle("中国共产党章程")
                .setBody("第一章 党员").setEstimatedMinutes(120))
            .build()),
        m -> values("title", m.getTitle(), "kind", m.getKind().name()));
    expectOk("record_study",
        () -> member.as(study).recordStudy(RecordStudyRequest.newBuilder()
            .setRequestId(requestId()).setMaterialId(material.getId()).setMinutes(45)
            .setNotes("收车后学习党章第一章🚚")
            .setDeviceTime(timestamp(System.currentTimeMillis() - 60 * 1000))
            .build()),
        r -> values("minutes", r.getMinutes(), "notes_chars", r.getNotesChars()));

    FeedbackServiceGrpc.FeedbackServiceBlockingStub mailbox = FeedbackServiceGrpc.newBlockingStub(channel);
    Object[][] letters = {
        {false, LetterCategory.LETTER_CATEGORY_SUGGESTION, "建议在服务区增设休息室", "长途司机中途休息不便。"},
        {true, LetterCategory.LETTER_CATEGORY_DIFFICULTY, "连续夜班休息不足", "这个月连着跑了六个夜班。"}};
    for (Object[] l : letters) {
      boolean anonymous = (Boolean) l[0];
      expectOk("submit_letter",
          () -> member.as(mailbox).submitLetter(SubmitLetterRequest.newBuilder()
              .setRequestId(requestId()).setCategory((LetterCategory) l[1])
              .setSubject((String) l[2]).setBody((String) l[3]).setAnonymous(anonymous)
              .build()),
          r -> {
            Letter letter = r.getLetter();
            Map<String, Object> v = values("anonymous", letter.getAnonymous(), "category",
                letter.getCategory().name(), "state", letter.getState().name());
            if (anonymous) {
              v.put("author_recorded", letter.getAuthorPersonId() != 0);
            } else {
              v.put("author_is_caller", letter.getAuthorPersonId() == member.person.getId());
            }
            v.put("receipt_code_issued", !r.getReceiptCode().isEmpty());
            return v;
          });
    }

    GetRosterRequest rosterRequest = GetRosterRequest.newBuilder().setMeetingId(meeting.getId()).build();
    expectOk("read_roster", () -> host.as(attendance).getRoster(rosterRequest), r -> {
      Map<String, Object> roster = new TreeMap<>();
      for (RosterEntry e : r.getEntriesList()) {
        roster.put(e.getDisplayName(), e.getStatus().name());
      }
      return values("roster", roster, "expected", r.getCounts().getExpected(), "present",
          r.getCounts().getPresent(), "absent", r.getCounts().getAbsent());
    });
    expectOk("read_progress",
        () -> host.as(study).getStudyProgress(GetStudyProgressRequest.newBuilder()
            .setPersonId(member.person.getId()).setYear(0).build()),
        p -> values("total_minutes", p.getTotalMinutes(), "notes_chars", p.getNotesChars(),
            "study_days", p.getStudyDays()));
    expectRefusal("member_reads_roster", () -> member.as(attendance).getRoster(rosterRequest),
        Status.Code.PERMISSION_DENIED, false);
  }

  private static <T> T expectOk(String step, Supplier<T> call, Function<T, Map<String, Object>> describe) {
    T answer;
    try {
      answer = call.get();
    } catch (StatusRuntimeException error) {
      emit(step, error.getStatus().getCode().name(), new LinkedHashMap<>());
      throw new StepFailed(step);
    }
    emit(step, "OK", describe.apply(answer));
    return answer;
  }

  private static void expectRefusal(String step, Supplier<?> call, Status.Code code, boolean withField) {
    try {
      call.get();
    } catch (StatusRuntimeException error) {
      Map<String, Object> v = new LinkedHashMap<>();
      if (withField) {
        v.put("field", violationField(error));
      }
      emit(step, error.getStatus().getCode().name(), v);
      if (error.getStatus().getCode() != code) {
        throw new StepFailed(step);
      }
      return;
    }
    emit(step, "OK", new LinkedHashMap<>());
    throw new StepFailed(step);
  }

  /** The field named by the google.rpc.BadRequest detail of an error, or null. */
  private static String violationField(StatusRuntimeException error) {
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    if (status == null) {
      return null;
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(BadRequest.class)) {
        try {
          BadRequest bad = detail.unpack(BadRequest.class);
          if (bad.getFieldViolationsCount() > 0) {
            return bad.getFieldViolations(0).getField();
          }
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static void emit(String step, String status, Map<String, Object> values) {
    Map<String, Object> line = values("step", step, "status", status);
    line.putAll(values);
    OUT.println(Json.write(line));
  }

  /** An insertion-ordered map from alternating keys and values. */
  private static Map<String, Object> values(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
  }

  private static String requestId() {
    return UUID.randomUUID().toString();
  }

  private static String mistyped(String code) {
    StringBuilder out = new StringBuilder();
    for (char c : code.toCharArray()) {
      out.append((char) ('0' + (c - '0' + 5) % 10));
    }
    return out.toString();
  }

  /** Compact JSON for the transcript (strings, numbers, booleans, null, nested maps). */
  private static final class Json {
    static String write(Object value) {
      StringBuilder out = new StringBuilder();
      append(out, value);
      return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
      if (value == null) {
        out.append("null");
      } else if (value instanceof String s) {
        out.append('"');
        for (char c : s.toCharArray()) {
          switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            default -> {
              if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
              } else {
                out.append(c);
              }
            }
          }
        }
        out.append('"');
      } else if (value instanceof Map<?, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          append(out, e.getKey().toString());
          out.append(':');
          append(out, e.getValue());
        }
        out.append('}');
      } else {
        out.append(value); // Boolean, Integer, Long
      }
    }
  }
}
