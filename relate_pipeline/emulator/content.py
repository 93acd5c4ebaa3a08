"""Word banks for the synthetic sales workspace, in English and Korean.

Korean entries carry a romanisation so generated email addresses and domains stay ASCII, the way
Korean companies actually register them.
"""

from __future__ import annotations

INTERNAL_DOMAINS = ("northwind-sales.example", "northwind.test")

# (display name, email local part); the last one is on the team's secondary domain.
INTERNAL_USERS = (
    ("Dana Whitfield", "dana.whitfield"), ("Marcus Oyelaran", "marcus"), ("Priya Raman", "priya.raman"),
    ("한지수", "jisoo.han"), ("Elena Markovic", "elena.m"), ("서준호", "junho.seo"), ("Grace Okafor", "grace.okafor"),
    ("Tomás Ibarra", "tomas.ibarra"),
)

ENGLISH_FIRST = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Lucas", "Mia", "Mason", "Isabella",
    "Logan", "Amelia", "James", "Harper", "Benjamin", "Evelyn", "Elijah", "Abigail", "Henry", "Chloe",
    "Samuel", "Zoe", "Daniel", "Nora", "Jack", "Leah", "Owen", "Aria", "Wyatt", "Aisha", "Mateo",
    "Sofía", "Ren", "Yuki", "Arjun", "Ananya", "Chidi", "Freya", "Jonas",
)
ENGLISH_LAST = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Wilson", "Anderson", "Thomas",
    "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
    "Hall", "Young", "O'Brien", "Nguyen", "Patel", "Kowalski", "Schmidt", "Rossi", "Tanaka", "Mensah",
)
KOREAN_SURNAMES = (
    ("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
    ("조", "cho"), ("윤", "yoon"), ("장", "jang"), ("임", "lim"), ("한", "han"), ("오", "oh"),
)
KOREAN_GIVEN = (
    ("민준", "minjun"), ("서연", "seoyeon"), ("지훈", "jihoon"), ("하은", "haeun"), ("도윤", "doyoon"),
    ("수아", "sua"), ("예준", "yejun"), ("지우", "jiwoo"), ("현우", "hyunwoo"), ("지민", "jimin"),
    ("서준", "seojun"), ("유나", "yuna"), ("승현", "seunghyun"), ("다은", "daeun"), ("태윤", "taeyoon"),
    ("소희", "sohee"),
)

ENGLISH_ORG_PREFIXES = (
    "Bluefin", "Cedar", "Harbor", "Lumen", "Northstar", "Pinecrest", "Quill", "Redwood", "Silverline",
    "Tidewater", "Vantage", "Willow", "Keystone", "Meridian", "Orchid", "Granite", "Beacon", "Copperleaf",
)
ENGLISH_ORG_SUFFIXES = (
    "Analytics", "Logistics", "Health", "Robotics", "Capital", "Foods", "Labs", "Systems", "Energy", "Media",
)
KOREAN_ORG_PREFIXES = (
    ("한빛", "hanbit"), ("새솔", "saesol"), ("누리", "nuri"), ("바른", "bareun"), ("다온", "daon"),
    ("온누리", "onnuri"), ("푸른", "pureun"), ("미래", "mirae"), ("하늘", "haneul"), ("가람", "garam"),
    ("한결", "hangyeol"), ("마루", "maru"),
)
KOREAN_ORG_SUFFIXES = (
    ("물류", "logistics"), ("테크", "tech"), ("에너지", "energy"), ("제약", "pharma"), ("커머스", "commerce"),
    ("금융", "finance"), ("바이오", "bio"), ("모빌리티", "mobility"),
)
TLDS = ("example", "test")
PERSONAL_DOMAINS = ("mailbox.example", "inbox.test", "webmail.example")
UNKNOWN_LOCALS = ("info", "procurement", "cto", "ops", "partner", "guest", "finance", "legal")

CONFERENCES = (
    ("Zoom", "https://us02web.zoom.us/j/{digits}"),
    ("Google Meet", "https://meet.google.com/{letters}"),
    ("Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{digits}%40thread.v2/0"),
)

OFFSETS = ((540, 5), (0, 2), (60, 2), (-300, 3), (-480, 2), (330, 1))

EXTERNAL_TITLES_EN = (
    "{org} <> Northwind: discovery call", "{org} — pricing review", "Quarterly business review with {org}",
    "{org} technical deep dive", "Renewal discussion: {org}", "{org} onboarding kickoff",
    "Demo for {org}", "Security questionnaire walkthrough ({org})", "Contract redlines — \"{org}\" MSA",
)
EXTERNAL_TITLES_KO = (
    "{org} 미팅 — 제안서 검토", "{org} 도입 논의", "{org} 분기 리뷰", "{org} 기술 검토 미팅",
    "{org} 계약 조건 협의", "{org} 온보딩 킥오프",
)
INTERNAL_TITLES = (
    "Weekly pipeline review", "Forecast call", "Deal desk sync", "Sales enablement: objection handling",
    "1:1 coaching", "주간 영업 회의", "Team standup ☕",
)

TOPICS_EN = (
    ("Current workflow", "They track deals in spreadsheets and lose context between handoffs."),
    ("Pricing", "Asked for annual pricing with a discount for 50+ seats."),
    ("Integration", "Needs a two-way sync with their data warehouse and SSO via SAML."),
    ("Timeline", "Budget is approved for Q3; they want a pilot in four weeks."),
    ("Security review", "Their IT team sent a 120-question security questionnaire."),
    ("Competition", "Also evaluating two other vendors; \"ease of setup\" is the deciding factor."),
    ("Stakeholders", "The VP of Sales signs; the RevOps lead runs the evaluation."),
    ("Pilot scope", "Pilot with the APAC team (12 reps), success = fewer missed follow-ups."),
    ("Reporting", "Wants weekly dashboards of meeting outcomes per rep."),
    ("Data migration", "About 40k contacts to import from the old CRM.\nDuplicates need a merge pass."),
    ("Support", "Asked about SLAs and a dedicated CSM 🙌"),
)
TOPICS_KO = (
    ("현재 업무 방식", "엑셀로 영업 현황을 관리하고 있어 인수인계 시 맥락이 자주 누락됨."),
    ("가격", "50석 이상 연간 계약 시 할인 가능 여부 문의."),
    ("연동", "사내 데이터 웨어하우스와 양방향 동기화, SAML 기반 SSO 필요."),
    ("일정", "3분기 예산 승인 완료, 4주 내 파일럿 희망."),
    ("보안 검토", "IT팀에서 보안 체크리스트 120개 항목 전달 예정."),
    ("경쟁사", "다른 두 곳과 비교 중이며 \"도입 편의성\"이 핵심 기준."),
    ("의사결정자", "영업 부사장이 최종 승인, RevOps 리드가 평가 주도."),
    ("파일럿 범위", "APAC 팀 12명 대상 파일럿, 후속 조치 누락 감소가 성공 기준."),
    ("리포팅", "영업 담당자별 주간 미팅 결과 대시보드 요청."),
    ("데이터 이전", "기존 CRM에서 연락처 약 4만 건 이전 필요.\n중복 정리 작업 필요."),
)

SENTENCES_EN = (
    "Thanks everyone for joining today.", "Can you all hear me okay?", "Let's start with a quick round of intros.",
    "We've been looking at a few options this quarter.", "Right now most of this lives in spreadsheets.",
    "Our biggest pain is follow-ups falling through the cracks.", "How does the pricing work for larger teams?",
    "We can do annual billing with a volume discount.", "Does it integrate with our warehouse?",
    "Yes, there's a REST API and a nightly export.", "Security will want to see your SOC 2 report.",
    "I'll send that over right after the call.", "What does the implementation timeline look like?",
    "Typically two to four weeks for a team your size.", "That sounds reasonable.", "Let me share my screen.",
    "Here's the pipeline view we mentioned.", "Can we filter this by region?", "Good question — yes, and by owner.",
    "I think the team would love that.", "We'd need sign-off from our VP first.", "Who else should be in the next meeting?",
    "Let's loop in RevOps.", "Sorry, you cut out for a second.", "Could you repeat the last part?",
    "We tried another tool last year and adoption was low.", "The notetaker piece is what caught our eye.",
    "So it writes the summary automatically?", "Exactly, and it pulls out action items.", "That's a huge time saver 🎉",
    "He literally said \"we need this yesterday\".", "What about data residency?", "We host in Seoul and Frankfurt.",
    "Okay, I'll take that back to the team.", "Let's pencil in a follow-up next week.", "Does Tuesday work?",
    "Tuesday afternoon is fine.", "Great, I'll send an invite.", "Anything else before we wrap up?", "Thanks, talk soon!",
)
SENTENCES_KO = (
    "오늘 시간 내주셔서 감사합니다.", "다들 잘 들리시나요?", "간단히 소개부터 하고 시작하겠습니다.",
    "이번 분기에 여러 솔루션을 검토하고 있습니다.", "지금은 대부분 엑셀로 관리하고 있어요.",
    "후속 조치가 자주 누락되는 게 가장 큰 문제입니다.", "팀 규모가 크면 가격은 어떻게 되나요?",
    "연간 계약 시 볼륨 할인이 가능합니다.", "저희 데이터 웨어하우스와 연동되나요?",
    "네, REST API와 일일 내보내기를 지원합니다.", "보안팀에서 SOC 2 보고서를 요청할 것 같아요.",
    "통화 끝나고 바로 보내드리겠습니다.", "도입 일정은 어느 정도 걸리나요?", "이 정도 규모면 보통 2~4주 걸립니다.",
    "좋네요.", "화면 공유하겠습니다.", "말씀드린 파이프라인 화면입니다.", "지역별로 필터링할 수 있나요?",
    "네, 담당자별로도 가능합니다.", "팀원들이 좋아할 것 같아요.", "부사장님 승인이 먼저 필요합니다.",
    "다음 미팅에는 누가 참석하면 좋을까요?", "RevOps 담당자도 같이 모시죠.", "잠깐 소리가 끊겼어요.",
    "마지막 부분 다시 말씀해 주시겠어요?", "작년에 다른 툴을 써봤는데 정착이 잘 안 됐어요.",
    "노트테이커 기능이 특히 눈에 띄었습니다.", "요약을 자동으로 작성해 주는 건가요?", "네, 액션 아이템도 뽑아줍니다.",
    "시간이 정말 많이 절약되겠네요 👍", "\"당장 필요하다\"고 하셨어요.", "데이터 저장 위치는 어디인가요?",
    "서울과 프랑크푸르트 리전을 사용합니다.", "팀에 공유하고 다시 연락드릴게요.", "다음 주에 후속 미팅 잡으시죠.",
    "화요일 괜찮으세요?", "화요일 오후 좋습니다.", "초대장 보내드리겠습니다.", "마무리 전에 더 궁금하신 점 있으세요?",
    "감사합니다, 또 뵙겠습니다!",
)

TASKS_EN = (
    "send the SOC 2 report", "share annual pricing for 60 seats", "schedule a technical deep dive",
    "draft the pilot success criteria", "loop in RevOps for the next call", "send the security questionnaire back",
    "prepare the data migration plan", "confirm budget owner", "book the follow-up for next Tuesday",
    "share the recording with the wider team",
)
TASKS_KO = (
    "SOC 2 보고서 전달", "60석 기준 연간 견적 공유", "기술 검토 미팅 일정 잡기", "파일럿 성공 기준 초안 작성",
    "다음 미팅에 RevOps 담당자 초대", "보안 체크리스트 회신", "데이터 이전 계획 준비", "예산 담당자 확인",
)
SUMMARY_OPENERS_EN = (
    "Discovery call with {org} about replacing their spreadsheet-based pipeline tracking.",
    "{org} reviewed pricing and integration requirements ahead of a pilot.",
    "Follow-up with {org} focused on security review and rollout timeline.",
    "Internal sync on open deals and next steps for the quarter.",
)
SUMMARY_OPENERS_KO = (
    "{org}와(과) 엑셀 기반 영업 관리 대체에 대해 논의한 첫 미팅.",
    "{org}에서 파일럿 전 가격과 연동 요구사항을 검토함.",
    "{org}와 보안 검토 및 도입 일정 중심의 후속 미팅.",
)
NEXT_STEPS_EN = ("Send proposal", "Schedule pilot kickoff", "Security review call", "Share case studies")
NEXT_STEPS_KO = ("제안서 발송", "파일럿 킥오프 일정 확정", "보안 검토 미팅", "고객 사례 공유")
SENTIMENTS = ("positive", "neutral", "cautious", "very positive")
DEAL_STAGES = ("Discovery", "Evaluation", "Proposal", "Negotiation", "Closed Won")
NOTE_BODIES = (
    "Champion is the RevOps lead; economic buyer is the VP of Sales.",
    "Asked for a reference customer in logistics.",
    "Renewal coming up in Q4 — watch for budget freeze.",
    "미팅 후 견적서 요청함. 다음 주 화요일까지 회신 예정.",
    "Prefers email over calls. Timezone: KST.",
    "Pilot went well 🎉 expanding to the EU team.",
    "Concerned about \"per-seat\" pricing;\nprefers usage-based.",
)
