//  Notification templates: the shipped deploy/templates/templates.txt
//  parses and renders; every kind of bad file is refused with the line
//  that is wrong and hands put nothing; rendering strips diacritics for
//  SMS and Zalo, keeps "{{" as a brace and never writes past its buffer.
//
//  template.c is included whole rather than linked: unit tests link only
//  libdunghan (common/), and template.c, being pure (libc and common/),
//  needs nothing from the notify daemon's other objects.
#include "../../services/notify/template.c"
#include "unit.h"

#define S_KEPT_MAX 64

typedef struct {
    char *event, *channel, *subject, *body;
} s_kept_t;

typedef struct {
    s_kept_t kept [S_KEPT_MAX];
    size_t count;
} s_keeper_t;

static int
s_put (void *arg, const char *event, const char *channel, const char *subject, const char *body)
{
    s_keeper_t *self = arg;
    if (self->count == S_KEPT_MAX)
        return DH_E_FULL;
    s_kept_t *kept = &self->kept [self->count++];
    kept->event = strdup (event);
    kept->channel = strdup (channel);
    kept->subject = strdup (subject);
    kept->body = strdup (body);
    return 0;
}

static void
s_keeper_empty (s_keeper_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        free (self->kept [i].event);
        free (self->kept [i].channel);
        free (self->kept [i].subject);
        free (self->kept [i].body);
    }
    self->count = 0;
}

static const s_kept_t *
s_keeper_find (const s_keeper_t *self, const char *event, const char *channel)
{
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp (self->kept [i].event, event) && !strcmp (self->kept [i].channel, channel))
            return &self->kept [i];
    return NULL;
}

static char *
s_read (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    char *text = calloc (1, 1 << 20);
    size_t size = fread (text, 1, (1 << 20) - 1, file);
    fclose (file);
    text [size] = 0;
    return text;
}

static bool
s_ascii (const char *text)
{
    for (; *text; text++)
        if ((unsigned char) *text >= 0x80)
            return false;
    return true;
}

static const notify_fields_t s_fields = {
    .code = "000.A0.01.H26-210212-9090",
    .procedure = "Cấp Giấy chứng nhận đăng ký hộ kinh doanh",
    .applicant = "Trần Thị Hoa",
    .due = "16:30 ngày 19/02/2021",
    .new_due = "16:30 ngày 26/02/2021",
    .counter = "Quầy số 3, Bộ phận Một cửa UBND quận Đống Đa",
    .reason = "Thiếu bản sao Căn cước công dân",
    .papers = "Bản sao Căn cước công dân; Hợp đồng thuê nhà",
    .staff = "Đặng Văn Nam",
    .unit = "Phòng Tài chính - Kế hoạch",
    .open = "12",
    .overdue = "3",
};

//  The shipped file: every event and channel it promises, each renders.
static void
s_test_shipped (void)
{
    char *text = s_read ("deploy/templates/templates.txt");
    CHECK (text, "deploy/templates/templates.txt: cannot read it (tests run from the repo root)");
    if (!text)
        return;
    s_keeper_t keeper = { .count = 0 };
    char error [300];
    int rc = notify_templates_parse ("templates.txt", text, s_put, &keeper, error, sizeof error);
    CHECK (rc == 0, "shipped templates refused: %s", error);
    CHECK (!*error, "an error on success: %s", error);
    CHECK (keeper.count == 23, "%zu templates, expected 23", keeper.count);

    const char *citizen [] = { "received", "not_accepted", "supplement_requested", "fee_due",
                               "apology", "result_ready", "returned" };
    const char *staff [] = { "assigned", "due_soon", "breached", "apology_to_approve", "queue_summary" };
    for (size_t i = 0; i < sizeof citizen / sizeof citizen [0]; i++) {
        CHECK (s_keeper_find (&keeper, citizen [i], "email"), "no [%s email]", citizen [i]);
        CHECK (s_keeper_find (&keeper, citizen [i], "sms"), "no [%s sms]", citizen [i]);
    }
    for (size_t i = 0; i < sizeof staff / sizeof staff [0]; i++)
        CHECK (s_keeper_find (&keeper, staff [i], "email"), "no [%s email]", staff [i]);
    CHECK (s_keeper_find (&keeper, "received", "zalo"), "no [received zalo]");
    CHECK (s_keeper_find (&keeper, "result_ready", "zalo"), "no [result_ready zalo]");
    CHECK (!strcmp (keeper.kept [0].event, "received") && !strcmp (keeper.kept [0].channel, "email"),
           "not in file order: first is [%s %s]", keeper.kept [0].event, keeper.kept [0].channel);

    //  Every one fills, email with its subject, the others plain ASCII.
    char out [4096];
    for (size_t i = 0; i < keeper.count; i++) {
        const s_kept_t *kept = &keeper.kept [i];
        bool email = !strcmp (kept->channel, "email");
        bool ascii = !email;
        CHECK (email == (*kept->subject != 0), "[%s %s]: subject \"%s\"", kept->event, kept->channel,
               kept->subject);
        CHECK (notify_render (kept->body, &s_fields, ascii, out, sizeof out) == 0,
               "[%s %s]: does not render", kept->event, kept->channel);
        CHECK (!strchr (out, '{') && !strchr (out, '}'), "[%s %s]: a brace left: %s",
               kept->event, kept->channel, out);
        CHECK (!ascii || s_ascii (out), "[%s %s]: not ASCII: %s", kept->event, kept->channel, out);
        CHECK (out [strlen (out) - 1] != '\n', "[%s %s]: a trailing blank line", kept->event, kept->channel);
        CHECK (!strchr (out, '\r'), "[%s %s]: a \\r", kept->event, kept->channel);
        if (!strcmp (kept->channel, "sms"))
            CHECK (strlen (kept->body) <= 320, "[%s sms]: %zu characters", kept->event, strlen (kept->body));
    }

    //  DOMAIN §6's sample, word for word, and its rendering.
    const s_kept_t *ready = s_keeper_find (&keeper, "result_ready", "sms");
    if (ready) {
        CHECK (!strcmp (ready->body, "HS cua ong/ba {code} da co ket qua, moi den nhan tai {counter}"),
               "[result_ready sms]: %s", ready->body);
        notify_render (ready->body, &s_fields, true, out, sizeof out);
        CHECK (!strcmp (out, "HS cua ong/ba 000.A0.01.H26-210212-9090 da co ket qua, moi den nhan tai "
                             "Quay so 3, Bo phan Mot cua UBND quan Dong Da"), "rendered: %s", out);
    }
    const s_kept_t *received = s_keeper_find (&keeper, "received", "email");
    if (received) {
        notify_render (received->subject, &s_fields, false, out, sizeof out);
        CHECK (!strcmp (out, "Đã tiếp nhận hồ sơ 000.A0.01.H26-210212-9090"), "subject: %s", out);
        notify_render (received->body, &s_fields, false, out, sizeof out);
        const char *start = "Kính gửi ông/bà Trần Thị Hoa,\n\n";
        CHECK (!strncmp (out, start, strlen (start)), "body starts: %.60s", out);
        CHECK (strstr (out, "- Ngày hẹn trả kết quả: 16:30 ngày 19/02/2021\n"), "body: %s", out);
        CHECK (strstr (out, "\nTrân trọng,\n"), "no Trân trọng: %s", out);
    }
    //  The queue summary says how many items the official holds, and how
    //  many of them are overdue.
    const s_kept_t *summary = s_keeper_find (&keeper, "queue_summary", "email");
    if (summary) {
        notify_render (summary->subject, &s_fields, false, out, sizeof out);
        CHECK (!strcmp (out, "Tổng hợp hồ sơ đang xử lý: 12 hồ sơ"), "summary subject: %s", out);
        notify_render (summary->body, &s_fields, false, out, sizeof out);
        CHECK (!strncmp (out, "Kính gửi đồng chí Đặng Văn Nam,\n\n", strlen ("Kính gửi đồng chí Đặng Văn Nam,\n\n")),
               "summary body starts: %.60s", out);
        CHECK (strstr (out, "tại Phòng Tài chính - Kế hoạch:\n"), "summary body, unit: %s", out);
        CHECK (strstr (out, "\n- Số hồ sơ đang xử lý: 12\n- Trong đó, số hồ sơ đã quá hạn: 3\n"),
               "summary body, counts: %s", out);
    }
    s_keeper_empty (&keeper);
    free (text);
}

//  A good block first (lines 1-4), so a refusal after it shows that
//  nothing at all was handed to put.
#define S_GOOD "# a comment\n[received sms]\nHS {code} da duoc tiep nhan\n\n"

typedef struct {
    const char *what;
    const char *text;
    const char *error;          //  the refusal's words, or their start
} s_bad_t;

static const s_bad_t s_bad [] = {
    { "unknown event", S_GOOD "[recieved email]\nSubject: {code}\nx\n",
      "t.txt line 5: unknown event \"recieved\" (known: received, not_accepted, supplement_requested, "
      "fee_due, apology, result_ready, returned, assigned, due_soon, breached, apology_to_approve, "
      "queue_summary)" },
    { "unknown channel", S_GOOD "[received fax]\nHS {code}\n",
      "t.txt line 5: unknown channel \"fax\" (known: email, sms, zalo, webhook)" },
    { "a webhook template", S_GOOD "[received webhook]\n{{\"code\": \"{code}\"}\n",
      "t.txt line 5: [received webhook]: a webhook's body is JSON made by the code from the event, "
      "not a template; leave webhook blocks out" },
    { "two spaces in a header", S_GOOD "[received  email]\n",
      "t.txt line 5: a block starts with a line \"[event channel]\"" },
    { "an unclosed header", S_GOOD "[received email\n",
      "t.txt line 5: a block starts with a line \"[event channel]\"" },
    { "a channel missing", S_GOOD "[received]\n",
      "t.txt line 5: a block starts with a line \"[event channel]\"" },
    { "unknown placeholder", S_GOOD "[returned sms]\nHS {code}\nngay {date}\n",
      "t.txt line 7: [returned sms]: unknown placeholder {date}" },
    { "unknown placeholder in a subject", S_GOOD "[returned email]\nSubject: {ma} xong\n{code}\n",
      "t.txt line 6: [returned email]: unknown placeholder {ma}" },
    { "unclosed '{'", S_GOOD "[returned sms]\nHS {code} xong {\n",
      "t.txt line 6: [returned sms]: '{' at byte 15 is not closed on its line (\"{{\" writes a brace)" },
    { "a placeholder across lines", S_GOOD "[returned sms]\nHS {code}\nxong {co\nde}\n",
      "t.txt line 7: [returned sms]: '{' at byte 5 is not closed on its line (\"{{\" writes a brace)" },
    { "apology without {new_due}", S_GOOD "[apology sms]\nHS {code} hen lai {due}\n",
      "t.txt line 5: [apology sms]: no {new_due}, which every apology template must hold" },
    { "without {code}", S_GOOD "[returned sms]\nDa tra ket qua\n",
      "t.txt line 5: [returned sms]: no {code}, which every returned template must hold" },
    { "two missing", S_GOOD "[not_accepted sms]\nKhong tiep nhan\n",
      "t.txt line 5: [not_accepted sms]: no {code} {reason}, which every not_accepted template must hold" },
    { "supplement without {papers}", S_GOOD "[supplement_requested sms]\nHS {code} bo sung\n",
      "t.txt line 5: [supplement_requested sms]: no {papers}, which every supplement_requested "
      "template must hold" },
    { "result without {counter}", S_GOOD "[result_ready email]\nSubject: {code}\nDa co ket qua\n",
      "t.txt line 5: [result_ready email]: no {counter}, which every result_ready template must hold" },
    { "queue summary without {staff}", S_GOOD "[queue_summary email]\nSubject: Tong hop {open}\n{code} {unit}\n",
      "t.txt line 5: [queue_summary email]: no {staff}, which every queue_summary template must hold" },
    { "queue summary without {open}", S_GOOD "[queue_summary email]\nSubject: Tong hop\n{staff} {overdue}\n",
      "t.txt line 5: [queue_summary email]: no {open}, which every queue_summary template must hold" },
    { "queue summary with neither", S_GOOD "[queue_summary sms]\nTong hop ho so\n",
      "t.txt line 5: [queue_summary sms]: no {staff} {open}, which every queue_summary template must hold" },
    { "a count's name misspelt", S_GOOD "[queue_summary email]\nSubject: {staff}\n{opened} ho so\n",
      "t.txt line 7: [queue_summary email]: unknown placeholder {opened}" },
    { "invalid UTF-8 in a body", S_GOOD "[received email]\nSubject: Hồ sơ {code}\n\nKính gửi \xff\n",
      "t.txt line 8: [received email]: not valid UTF-8 at byte 12" },
    { "invalid UTF-8 in a comment", "# ch\xc3\n" S_GOOD,
      "t.txt line 1: not valid UTF-8 at byte 4" },
    { "an overlong encoding", S_GOOD "[returned sms]\nHS {code} \xc0\xaf\n",
      "t.txt line 6: [returned sms]: not valid UTF-8 at byte 10" },
    { "a control character", S_GOOD "[returned sms]\nHS\t{code}\n",
      "t.txt line 6: [returned sms]: a control character (U+0009) at byte 2" },
    { "diacritics in sms", S_GOOD "[returned sms]\nHS {code} đã trả\n",
      "t.txt line 6: [returned sms]: a non-ASCII character at byte 10: sms text is Vietnamese without "
      "diacritics (\"da co ket qua\")" },
    { "diacritics in zalo", S_GOOD "[received zalo]\nHo so {code}\nđã tiếp nhận\n",
      "t.txt line 7: [received zalo]: a non-ASCII character at byte 0: zalo text is Vietnamese without "
      "diacritics (\"da co ket qua\")" },
    { "an empty body", S_GOOD "[returned sms]\n\n# only a comment\n\n[fee_due sms]\nHS {code}\n",
      "t.txt line 5: [returned sms]: the body is empty" },
    { "an email without a body", S_GOOD "[returned email]\nSubject: {code}\n\n  \n",
      "t.txt line 5: [returned email]: the body is empty" },
    { "the same block twice", S_GOOD "[received sms]\nHS {code} lan hai\n",
      "t.txt line 5: [received sms]: a second block for it (the first is at line 2)" },
    { "text before the first block", "Xin chao\n" S_GOOD,
      "t.txt line 1: text before the first [event channel] line" },
    { "text before, after comments", "# c\n\nXin chao {code}\n" S_GOOD,
      "t.txt line 3: text before the first [event channel] line" },
    { "no Subject", S_GOOD "[received email]\n\nKinh gui {code}\n",
      "t.txt line 7: [received email]: an email block's first line is \"Subject: ...\"" },
    { "an email block with nothing", S_GOOD "[received email]\n",
      "t.txt line 5: [received email]: no \"Subject: ...\" line" },
    { "an empty Subject", S_GOOD "[received email]\nSubject:   \n{code}\n",
      "t.txt line 6: [received email]: the Subject is empty" },
    { "a long SMS", NULL,       //  made below: 321 characters
      "t.txt line 5: [returned sms]: the body has 321 characters; sms takes at most 320 before filling" },
};
#define S_BAD (sizeof s_bad / sizeof s_bad [0])

//  An SMS of length characters with {code} in it, after S_GOOD.
static char *
s_long_sms (size_t length)
{
    char *text = malloc (length + 100);
    int at = sprintf (text, "%s[returned sms]\nHS {code}", S_GOOD);
    for (size_t i = 9; i < length; i++)
        text [at++] = 'x';
    strcpy (text + at, "\n");
    return text;
}

static void
s_test_refusals (void)
{
    for (size_t i = 0; i < S_BAD; i++) {
        char *made = s_bad [i].text? NULL: s_long_sms (321);
        const char *text = made? made: s_bad [i].text;
        s_keeper_t keeper = { .count = 0 };
        char error [400];
        int rc = notify_templates_parse ("t.txt", text, s_put, &keeper, error, sizeof error);
        CHECK (rc == DH_E_INVALID, "%s: rc %d", s_bad [i].what, rc);
        CHECK (!strncmp (error, s_bad [i].error, strlen (s_bad [i].error)),
               "%s:\n  got      %s\n  expected %s", s_bad [i].what, error, s_bad [i].error);
        CHECK (keeper.count == 0, "%s: put called %zu times", s_bad [i].what, keeper.count);
        s_keeper_empty (&keeper);
        free (made);
    }
    //  An SMS of exactly 320 characters passes; 321 was refused above.
    char *text = s_long_sms (320);
    s_keeper_t keeper = { .count = 0 };
    char error [300];
    CHECK (notify_templates_parse ("t.txt", text, s_put, &keeper, error, sizeof error) == 0,
           "320 characters: %s", error);
    CHECK (keeper.count == 2 && strlen (keeper.kept [1].body) == 320, "kept %zu", keeper.count);
    s_keeper_empty (&keeper);
    free (text);

    //  A small error buffer is cut, never overrun; none at all is fine.
    char small [12];
    memset (small, 'z', sizeof small);
    CHECK (notify_templates_parse ("t.txt", "Xin chao\n", s_put, &keeper, small, 8) == DH_E_INVALID, "small");
    CHECK (!strcmp (small, "t.txt l") && small [8] == 'z', "small: %.12s", small);
    CHECK (notify_templates_parse ("t.txt", "Xin chao\n", s_put, &keeper, NULL, 0) == DH_E_INVALID, "none");

    //  put's refusal stops the walk and is returned.
    s_keeper_t full = { .count = S_KEPT_MAX };
    CHECK (notify_templates_parse ("t.txt", S_GOOD, s_put, &full, error, sizeof error) == DH_E_FULL,
           "put's error");
    CHECK (strstr (error, "t.txt line 2: [received sms]: not kept: "), "put's error: %s", error);
}

//  What the format keeps and drops.
static void
s_test_format (void)
{
    const char *text =
        "# comment\r\n"
        "\r\n"
        "[received email]   \r\n"
        "# a comment before the subject\r\n"
        "\r\n"
        "Subject:   Ho so {code}  \r\n"
        "\r\n"
        "Kinh gui {applicant},   \r\n"
        "# not part of the body\r\n"
        "\r\n"
        "\r\n"
        "Ma {{ {code} }}\r\n"
        "\r\n"
        "\r\n"
        "[queue_summary email]\n"
        "Subject: Tong hop cho {staff}\n"
        "Khong can ma ho so: {open} ho so, {overdue} qua han.\n"
        "\n"
        "\n";
    s_keeper_t keeper = { .count = 0 };
    char error [300];
    int rc = notify_templates_parse ("t.txt", text, s_put, &keeper, error, sizeof error);
    CHECK (rc == 0, "format: %s", error);
    CHECK (keeper.count == 2, "format: %zu kept", keeper.count);
    if (keeper.count == 2) {
        CHECK (!strcmp (keeper.kept [0].subject, "Ho so {code}"), "subject \"%s\"", keeper.kept [0].subject);
        CHECK (!strcmp (keeper.kept [0].body, "Kinh gui {applicant},\n\n\nMa {{ {code} }}"),
               "body \"%s\"", keeper.kept [0].body);
        CHECK (!strcmp (keeper.kept [1].event, "queue_summary"), "second: %s", keeper.kept [1].event);
        CHECK (!strcmp (keeper.kept [1].body, "Khong can ma ho so: {open} ho so, {overdue} qua han."), "body \"%s\"",
               keeper.kept [1].body);
    }
    s_keeper_empty (&keeper);

    //  An empty file, or comments alone: nothing to keep, nothing wrong.
    CHECK (notify_templates_parse ("t.txt", "", s_put, &keeper, error, sizeof error) == 0, "empty");
    CHECK (notify_templates_parse ("t.txt", "# x\n\n# y", s_put, &keeper, error, sizeof error) == 0,
           "comments");
    CHECK (keeper.count == 0, "kept %zu", keeper.count);
}

static void
s_test_render (void)
{
    char out [512];
    notify_fields_t fields = { .code = "X-1", .applicant = "Trần Thị Hoa", .staff = "Đặng" };

    CHECK (notify_render ("{applicant}|{staff}", &fields, true, out, sizeof out) == 0, "ascii");
    CHECK (!strcmp (out, "Tran Thi Hoa|Dang"), "ascii: %s", out);
    CHECK (notify_render ("{applicant}|{staff}", &fields, false, out, sizeof out) == 0, "utf-8");
    CHECK (!strcmp (out, "Trần Thị Hoa|Đặng"), "utf-8: %s", out);

    //  Every precomposed Vietnamese letter, lower and upper; the expected
    //  letters are Unicode's own decomposition, not this file's table.
    fields.applicant = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";
    fields.staff = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ";
    notify_render ("{applicant}\n{staff}", &fields, true, out, sizeof out);
    CHECK (!strcmp (out, "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy\n"
                         "AAAAAAAAAAAAAAAAADEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYY"),
           "alphabet: %s", out);

    //  Other letters become '?', one per character; combining marks
    //  (decomposed input) go; a broken sequence is one '?' per byte.
    fields.applicant = "Zoë € 日本";
    fields.staff = "Tra\xcc\x80n Thi\xcc\xa3";
    fields.code = "a\xff" "b\xe1\xbb";
    notify_render ("{applicant}|{staff}|{code}", &fields, true, out, sizeof out);
    CHECK (!strcmp (out, "Zo? ? ??|Tran Thi|a?b??"), "others: %s", out);

    //  "{{" is a brace; unknown names and lone braces stay; NULL is empty.
    fields = (notify_fields_t) { .code = "X-1" };
    CHECK (notify_render ("{{code}} {{{code}} {date} {code {unit}.", &fields, true, out, sizeof out) == 0,
           "braces");
    CHECK (!strcmp (out, "{code}} {X-1} {date} {code ."), "braces: %s", out);
    CHECK (notify_render ("{", &fields, false, out, sizeof out) == 0 && !strcmp (out, "{"), "lone: %s", out);
    CHECK (notify_render ("", &fields, false, out, sizeof out) == 0 && !*out, "empty");

    //  The counts are text like any value; a count not given is empty.
    fields = (notify_fields_t) { .staff = "Đặng", .open = "7", .overdue = "0" };
    CHECK (notify_render ("{staff}: {open} ho so, {overdue} qua han", &fields, true, out, sizeof out) == 0
        && !strcmp (out, "Dang: 7 ho so, 0 qua han"), "counts: %s", out);
    fields.overdue = NULL;
    CHECK (notify_render ("{open}/{overdue}/{{open}}", &fields, false, out, sizeof out) == 0
        && !strcmp (out, "7//{open}}"), "counts: %s", out);
    fields = (notify_fields_t) { .code = "X-1" };

    //  TOO_BIG: "HS X-1 xong" is 11 bytes and takes 12 with its end.
    char canary [32];
    memset (canary, '#', sizeof canary);
    CHECK (notify_render ("HS {code} xong", &fields, false, canary, 12) == 0 && !strcmp (canary, "HS X-1 xong"),
           "fits: %s", canary);
    memset (canary, '#', sizeof canary);
    CHECK (notify_render ("HS {code} xong", &fields, false, canary, 11) == DH_E_TOO_BIG, "too big");
    CHECK (canary [0] == 0, "too big leaves \"\": %.11s", canary);
    for (size_t i = 11; i < sizeof canary; i++)
        CHECK (canary [i] == '#', "written past size at %zu", i);
    CHECK (notify_render ("HS {code} xong", &fields, false, NULL, 0) == DH_E_TOO_BIG, "size 0");
    //  Stripped letters are counted as they come out: 12 letters fit in 13.
    fields.applicant = "Trần Thị Hoa";
    memset (canary, '#', sizeof canary);
    CHECK (notify_render ("{applicant}", &fields, true, canary, 13) == 0 && !strcmp (canary, "Tran Thi Hoa"),
           "ascii fits: %s", canary);
    memset (canary, '#', sizeof canary);
    CHECK (notify_render ("{applicant}", &fields, false, canary, 13) == DH_E_TOO_BIG, "utf-8 too big");
    for (size_t i = 13; i < sizeof canary; i++)
        CHECK (canary [i] == '#', "written past size at %zu", i);
}

static void
s_test_known (void)
{
    const char *events [] = { "received", "not_accepted", "supplement_requested", "fee_due", "apology",
                              "result_ready", "returned", "assigned", "due_soon", "breached",
                              "apology_to_approve", "queue_summary" };
    for (size_t i = 0; i < sizeof events / sizeof events [0]; i++)
        CHECK (notify_event_known (events [i]), "%s unknown", events [i]);
    CHECK (!notify_event_known ("submitted") && !notify_event_known ("Received")
        && !notify_event_known ("") && !notify_event_known (NULL) && !notify_event_known ("received "),
           "unknown events known");
    const char *channels [] = { "email", "sms", "zalo", "webhook" };
    for (size_t i = 0; i < 4; i++)
        CHECK (notify_channel_known (channels [i]), "%s unknown", channels [i]);
    CHECK (!notify_channel_known ("fax") && !notify_channel_known ("Email") && !notify_channel_known ("")
        && !notify_channel_known (NULL) && !notify_channel_known ("smsx"), "unknown channels known");
}

int
main (void)
{
    s_test_shipped ();
    s_test_refusals ();
    s_test_format ();
    s_test_render ();
    s_test_known ();
    return UNIT_DONE ("test_template");
}
