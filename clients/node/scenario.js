// The shared client scenario (clients/SCENARIO.md) in Node.js: prints its JSON-lines transcript.
//
// Usage: node scenario.js HOST:PORT ADMIN_PASSWORD TAG [DESCRIPTOR_DIR]
// (DESCRIPTOR_DIR holds branchline.binpb from generate.sh; default: ./gen)
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
require('protobufjs/ext/descriptor');

const [address, adminPassword, tag, genDir = path.join(__dirname, 'gen')] = process.argv.slice(2);
const PASSWORD = 'password-123';
const DEADLINE_MS = 10000;

const descriptorSet = fs.readFileSync(path.join(genDir, 'branchline.binpb'));
// Snake-case field names, int64 as decimal strings and enums as their names, as in the proto.
const definition = protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet, {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const v1 = grpc.loadPackageDefinition(definition).branchline.v1;
// protobufjs decodes the google.rpc.Status in the error trailer (not a method's message).
const errorTypes = protobuf.Root.fromDescriptor(descriptorSet);
const RpcStatus = errorTypes.lookupType('google.rpc.Status');
const BadRequest = errorTypes.lookupType('google.rpc.BadRequest');

class StepFailed extends Error {}

function statusName(code) {
  return Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);
}

// The field named by the google.rpc.BadRequest detail of an error, or null.
function violationField(error) {
  const [raw] = error.metadata ? error.metadata.get('grpc-status-details-bin') : [];
  if (!raw) return null;
  for (const detail of RpcStatus.decode(raw).details) {
    if (detail.type_url.endsWith('/google.rpc.BadRequest')) {
      const violations = BadRequest.decode(detail.value).field_violations;
      if (violations.length > 0) return violations[0].field;
    }
  }
  return null;
}

function emit(step, status, values = {}) {
  process.stdout.write(JSON.stringify({ step, status, ...values }) + '\n');
}

// One signed-in user: a stub per service on one channel, the token added to every call.
class Client {
  constructor() {
    const credentials = grpc.credentials.createInsecure();
    this.auth = new v1.AuthService(address, credentials);
    const channelOverride = this.auth.getChannel();
    const make = (Service) => new Service(address, credentials, { channelOverride });
    this.orgs = make(v1.OrganizationService);
    this.people = make(v1.PersonService);
    this.attendance = make(v1.AttendanceService);
    this.study = make(v1.StudyService);
    this.feedback = make(v1.FeedbackService);
    this.token = null;
    this.person = null;
  }

  async signIn(login, password) {
    const response = await unary(this.auth, 'SignIn', { login, password }, new grpc.Metadata());
    this.token = response.access_token;
    this.person = response.person;
    return response;
  }

  call(stub, method, request) {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.token}`);
    return unary(stub, method, request, metadata);
  }
}

function unary(stub, method, request, metadata) {
  return new Promise((resolve, reject) => {
    stub[method](request, metadata, { deadline: Date.now() + DEADLINE_MS },
      (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function expectOk(step, call, describe) {
  let answer;
  try {
    answer = await call();
  } catch (error) {
    if (error.code === undefined) throw error;
    emit(step, statusName(error.code));
    throw new StepFailed(step);
  }
  emit(step, 'OK', describe(answer));
  return answer;
}

async function expectRefusal(step, call, code, withField = false) {
  try {
    await call();
  } catch (error) {
    if (error.code === undefined) throw error;
    emit(step, statusName(error.code), withField ? { field: violationField(error) } : {});
    if (error.code !== code) throw new StepFailed(step);
    return;
  }
  emit(step, 'OK');
  throw new StepFailed(step);
}

function timestamp(millis) {
  return { seconds: String(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1e6 };
}

const requestId = () => crypto.randomUUID();
const mistyped = (code) => [...code].map((d) => String((Number(d) + 5) % 10)).join('');

async function main() {
  const admin = new Client();
  const host = new Client();
  const member = new Client();
  await expectOk('sign_in', () => admin.signIn('admin', adminPassword), () => ({ who: 'admin' }));

  const branch = await expectOk('create_branch', () => admin.call(admin.orgs, 'CreateOrganization', {
    request_id: requestId(),
    organization: {
      parent_id: admin.person.organization_id, name: '运输四队党支部', kind: 'ORGANIZATION_KIND_BRANCH',
    },
  }), (o) => ({ name: o.name, kind: o.kind, utc_offset_minutes: o.utc_offset_minutes }));

  for (const [name, role, who] of [['王书记', 'ROLE_SECRETARY', 'host'], ['张师傅', 'ROLE_FULL_MEMBER', 'member']]) {
    await expectOk('create_person', () => admin.call(admin.people, 'CreatePerson', {
      request_id: requestId(),
      initial_password: PASSWORD,
      person: { organization_id: branch.id, display_name: name, employee_number: `${tag}-${who}`, role },
    }), (p) => ({ name: p.display_name, role: p.role }));
  }
  for (const [who, client] of [['host', host], ['member', member]]) {
    await expectOk('sign_in', () => client.signIn(`${tag}-${who}`, PASSWORD),
      (r) => ({ who, name: r.person.display_name }));
  }

  const start = Date.now() + 10 * 60 * 1000;
  const meeting = await expectOk('schedule_meeting', () => host.call(host.attendance, 'CreateMeeting', {
    request_id: requestId(),
    meeting: {
      organization_id: branch.id, type: 'MEETING_TYPE_SAFETY_MEETING', title: '周一安全例会',
      start_time: timestamp(start), end_time: timestamp(start + 3600 * 1000),
    },
  }), (m) => ({ title: m.title, type: m.type, late_after_minutes: m.window.late_after_minutes }));

  const code = await expectOk('get_check_in_code',
    () => host.call(host.attendance, 'GetCheckInCode', { meeting_id: meeting.id }),
    (c) => ({ code_digits: [...c.code].length, has_qr_svg: c.qr_svg.includes('<svg') }));

  const checkIn = (typed) => {
    const now = timestamp(Date.now());
    return member.call(member.attendance, 'CheckIn', {
      request_id: requestId(), meeting_id: meeting.id, device_time: now,
      code: { code: typed, captured_time: now },
    });
  };
  await expectRefusal('check_in_wrong_code', () => checkIn(mistyped(code.code)),
    grpc.status.INVALID_ARGUMENT, true);
  await expectOk('check_in', () => checkIn(code.code),
    (r) => ({ attendance: r.record.status, method: r.record.method }));

  const material = await expectOk('create_material', () => host.call(host.study, 'CreateMaterial', {
    request_id: requestId(),
    material: {
      organization_id: branch.id, kind: 'MATERIAL_KIND_BOOK', title: '中国共产党章程',
      body: '第一章 党员', estimated_minutes: 120,
    },
  }), (m) => ({ title: m.title, kind: m.kind }));
  await expectOk('record_study', () => member.call(member.study, 'RecordStudy', {
    request_id: requestId(), material_id: material.id, minutes: 45,
    notes: '收车后学习党章第一章🚚', device_time: timestamp(Date.now() - 60 * 1000),
  }), (r) => ({ minutes: r.minutes, notes_chars: r.notes_chars }));

  const letters = [
    [false, 'LETTER_CATEGORY_SUGGESTION', '建议在服务区增设休息室', '长途司机中途休息不便。'],
    [true, 'LETTER_CATEGORY_DIFFICULTY', '连续夜班休息不足', '这个月连着跑了六个夜班。'],
  ];
  for (const [anonymous, category, subject, body] of letters) {
    await expectOk('submit_letter', () => member.call(member.feedback, 'SubmitLetter', {
      request_id: requestId(), category, subject, body, anonymous,
    }), (r) => {
      const values = { anonymous: r.letter.anonymous, category: r.letter.category, state: r.letter.state };
      if (anonymous) {
        values.author_recorded = r.letter.author_person_id !== '0';
      } else {
        values.author_is_caller = r.letter.author_person_id === member.person.id;
      }
      values.receipt_code_issued = r.receipt_code !== '';
      return values;
    });
  }

  const rosterOf = (client) => client.call(client.attendance, 'GetRoster', { meeting_id: meeting.id });
  await expectOk('read_roster', () => rosterOf(host), (r) => ({
    roster: Object.fromEntries(r.entries.map((e) => [e.display_name, e.status])),
    expected: r.counts.expected,
    present: r.counts.present,
    absent: r.counts.absent,
  }));
  await expectOk('read_progress', () => host.call(host.study, 'GetStudyProgress', {
    person_id: member.person.id, year: 0,
  }), (p) => ({
    // int64 fields arrive as decimal strings (longs: String); the transcript wants numbers.
    total_minutes: Number(p.total_minutes), notes_chars: Number(p.notes_chars), study_days: p.study_days,
  }));
  await expectRefusal('member_reads_roster', () => rosterOf(member), grpc.status.PERMISSION_DENIED);
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(error instanceof StepFailed ? `scenario failed at step ${error.message}\n`
    : `${error.stack}\n`);
  process.exit(1);
});
