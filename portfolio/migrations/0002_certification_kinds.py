"""The certification kinds of the ladder and their obligations, as editable data.

Values follow the project's domain notes; kinds marked needs_verification carry rules that
could not be confirmed against the official text, so staff can correct them in the admin.
"""

import datetime

from django.db import migrations

KINDS = [
    {
        "code": "tsme", "name": "科技型中小企业", "name_en": "Tech-based SME", "ladder_rank": 1,
        "validity_months": 12, "needs_verification": True,
        "description": "Evaluated every year; staff <= 500, revenue and total assets <= 200M CNY, score >= 60.",
        "obligations": [
            {
                "code": "annual-evaluation", "name": "年度评价信息填报", "name_en": "Yearly evaluation filing",
                "schedule": "yearly", "due_month": 9, "due_day": 30,
                "instructions": "在全国科技型中小企业信息服务平台更新并提交年度评价信息;逾期未更新将被移出名单。",
                "instructions_en": "File and update the yearly evaluation in the national TSME system; "
                "a registration not updated on time is revoked.",
                "windows": [{"year": 2025, "opens_on": datetime.date(2025, 6, 30), "due_on": datetime.date(2025, 9, 30)}],
            }
        ],
    },
    {
        "code": "hnte", "name": "高新技术企业", "name_en": "High and new technology enterprise",
        "ladder_rank": 2, "validity_months": 36, "needs_verification": False,
        "description": "Valid three years from the certificate date; annual report due by 31 May each validity year.",
        "obligations": [
            {
                "code": "annual-report", "name": "高企年度发展情况报表", "name_en": "HNTE annual report",
                "schedule": "yearly", "due_month": 5, "due_day": 31,
                "instructions": "在高新技术企业认定管理工作网填报上一年度知识产权、科技人员、研发费用、经营收入等年度发展情况报表。两次未报将被取消资格。",
                "instructions_en": "File last year's development report (IP, tech staff, R&D expense, revenue) "
                "in the HNTE system. Two missed reports cancel the status.",
            },
            {
                "code": "recertification", "name": "高企重新认定申请", "name_en": "HNTE re-application",
                "schedule": "before_expiry", "months_before_expiry": 0,
                "instructions": "资格期满前按省级批次重新提出认定申请(按新申请企业办理)。",
                "instructions_en": "Apply again, as a new applicant, in a provincial batch before the certificate expires.",
            },
        ],
    },
    {
        "code": "listing_pool", "name": "上市培育库", "name_en": "Listing-cultivation pool",
        "ladder_rank": 3, "validity_months": 12, "needs_verification": True,
        "description": "Membership chosen by the city, reviewed yearly.",
        "obligations": [
            {
                "code": "annual-review", "name": "入库年度复核", "name_en": "Yearly pool review",
                "schedule": "before_expiry", "months_before_expiry": 0,
                "instructions": "按市里要求提交年度复核材料,保持入库资格。",
                "instructions_en": "Submit the yearly review material the city asks for to stay in the pool.",
            }
        ],
    },
    {
        "code": "provincial_listing_reserve", "name": "省重点上市后备企业", "name_en": "Provincial key listing reserve",
        "ladder_rank": 3, "validity_months": None, "needs_verification": True,
        "description": "A province's list of firms preparing to list.", "obligations": [],
    },
    {
        "code": "medical_device", "name": "医疗器械注册证", "name_en": "Medical device registration",
        "ladder_rank": None, "validity_months": 60, "needs_verification": False,
        "description": "Class II provincial, class III national; valid five years.",
        "obligations": [
            {
                "code": "renewal", "name": "延续注册申请", "name_en": "Registration renewal filing",
                "schedule": "before_expiry", "months_before_expiry": 6,
                "instructions": "注册证有效期届满6个月前向原注册部门申请延续注册。",
                "instructions_en": "File the renewal with the registering authority at least six months before expiry.",
            }
        ],
    },
    {
        "code": "specialised_sme", "name": "专精特新中小企业", "name_en": "Specialised SME",
        "ladder_rank": None, "validity_months": 36, "needs_verification": True,
        "description": "Commonly valid three years.",
        "obligations": [
            {
                "code": "re-review", "name": "复核申请", "name_en": "Re-review application",
                "schedule": "before_expiry", "months_before_expiry": 0,
                "instructions": "有效期届满前按主管部门通知申请复核。",
                "instructions_en": "Apply for the re-review when the authority calls for it, before expiry.",
            }
        ],
    },
]


def create_kinds(apps, schema_editor):
    CertificationKind = apps.get_model("portfolio", "CertificationKind")
    Obligation = apps.get_model("portfolio", "Obligation")
    ObligationWindow = apps.get_model("portfolio", "ObligationWindow")
    for spec in KINDS:
        spec = dict(spec)
        obligations = spec.pop("obligations")
        kind, _ = CertificationKind.objects.update_or_create(code=spec.pop("code"), defaults=spec)
        for ob in obligations:
            ob = dict(ob)
            windows = ob.pop("windows", [])
            obligation, _ = Obligation.objects.update_or_create(kind=kind, code=ob.pop("code"), defaults=ob)
            for window in windows:
                window = dict(window)
                ObligationWindow.objects.update_or_create(
                    obligation=obligation, year=window.pop("year"), defaults=window
                )


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [migrations.RunPython(create_kinds, migrations.RunPython.noop)]
