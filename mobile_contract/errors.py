"""The error catalogue: every `code` an error body can carry, with its HTTP status and its zh-CN and en text."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta


class ErrorEntry(msgspec.Struct, frozen=True):
    """One catalogued error."""

    status: int
    zh: str
    en: str


CATALOGUE: dict[str, ErrorEntry] = {
    "REQUEST_MALFORMED": ErrorEntry(
        400,
        "请求格式错误：字段缺失、类型错误或含有未知字段",
        "The request is malformed: a field is missing, of the wrong type or unknown",
    ),
    "VALIDATION_FAILED": ErrorEntry(422, "提交的数据不符合规则", "The data breaks a rule"),
    "REGION_OUTLINE_INVALID": ErrorEntry(
        422,
        "区域轮廓不是有效的 GeoJSON 多边形：须为 Polygon 或 MultiPolygon，每个环首尾闭合、至少 4 个点、经纬度在范围内、不自相交，且总点数不超过 20000",
        "The outline is not a valid GeoJSON polygon: a Polygon or MultiPolygon whose rings are closed, have at least 4 positions within lon/lat ranges, do not cross themselves, and hold at most 20,000 positions in all",
    ),
    "REGION_OUTLINE_OUTSIDE_PARENT": ErrorEntry(
        422, "区域轮廓超出了上级区域的轮廓", "The outline reaches out of its parent region's outline"
    ),
    "ENTERPRISE_CREDIT_CODE_INVALID": ErrorEntry(
        422, "统一社会信用代码无效", "The unified social credit code is invalid"
    ),
    "ASSESSMENT_FACTOR_INVALID": ErrorEntry(
        422, "评估因子取值不在评估方法的取值表中", "An assessment factor is not a value of the scheme's table"
    ),
    "RISK_SCHEME_INVALID": ErrorEntry(
        422, "风险评估方案无效：分级区间有缺口或重叠", "The risk scheme is invalid: its bands leave a gap or overlap"
    ),
    "PHOTO_NOT_AN_IMAGE": ErrorEntry(
        422,
        "文件不是可接受的图片：仅支持 JPEG、PNG、WebP，且文件须完整无损",
        "The file is not an accepted image: only whole, undamaged JPEG, PNG or WebP files are accepted",
    ),
    "PHOTO_TOO_MANY_PIXELS": ErrorEntry(
        422, "图片像素过多，请压缩或缩小后再上传", "The image has too many pixels; shrink it and upload again"
    ),
    "PHOTO_EMPTY": ErrorEntry(
        422, "文件为空（0 字节），请重新选择照片", "The file is empty (0 bytes); choose the photo again"
    ),
    "PHOTO_UNSUPPORTED_TYPE": ErrorEntry(
        415,
        "不支持该图片格式（如 GIF、BMP、TIFF、HEIC），请转换为 JPEG、PNG 或 WebP 后上传",
        "This image format is not supported (GIF, BMP, TIFF, HEIC …); convert it to JPEG, PNG or WebP and upload again",
    ),
    "PHOTO_HIDDEN_CONTENT": ErrorEntry(
        422,
        "图片中夹带了其他内容（图片结尾之后的数据、PDF 或压缩包），请导出为普通照片后重新上传",
        "The image carries other content (data after its end, a PDF or an archive); export it as a plain photo and upload again",
    ),
    "PHOTO_CORRUPT": ErrorEntry(
        422, "图片文件已损坏或不完整，请重新拍摄或上传", "The image is truncated or damaged; take or upload it again"
    ),
    "PHOTO_TOO_LARGE": ErrorEntry(
        413, "照片文件过大，请压缩后再上传", "The photo file is too large; compress it and upload again"
    ),
    "STORAGE_FULL": ErrorEntry(
        507,
        "服务器存储空间已满，本次上传未保存，请稍后重试",
        "The server's storage is full; nothing of this upload was kept, try again later",
    ),
    "PHOTO_DECODE_TOO_LARGE": ErrorEntry(
        413,
        "图片解码所需内存过大，请缩小尺寸后再上传",
        "Decoding this image needs more memory than one photo may use; shrink it and upload again",
    ),
    "PHOTO_SERVER_BUSY": ErrorEntry(
        503,
        "服务器正在处理其他大图片，请在 Retry-After 所示秒数后重试",
        "The server is busy with other large photos; retry after the seconds in Retry-After",
    ),
    "DOCUMENT_EMPTY": ErrorEntry(
        422, "文件为空（0 字节），请重新选择文件", "The file is empty (0 bytes); choose the file again"
    ),
    "DOCUMENT_NOT_A_PDF": ErrorEntry(
        415,
        "文件不是 PDF：报告须以 PDF 格式上传（照片请用照片上传），详见 params.detected",
        "The file is not a PDF: upload reports as PDF (photos go to the photo upload); see params.detected",
    ),
    "DOCUMENT_CORRUPT": ErrorEntry(
        422,
        "PDF 文件已损坏、不完整或没有页面，请重新导出后上传",
        "The PDF is truncated, damaged or has no page; export it again and upload it",
    ),
    "DOCUMENT_HIDDEN_CONTENT": ErrorEntry(
        422,
        "PDF 文件结尾之后附加了其他内容，请重新导出为普通 PDF 后上传",
        "Other content follows the end of the PDF; export it again as a plain PDF and upload it",
    ),
    "DOCUMENT_ENCRYPTED": ErrorEntry(
        422,
        "PDF 文件已加密，无法检查，请去除密码后上传",
        "The PDF is encrypted and cannot be checked; remove its password and upload it",
    ),
    "DOCUMENT_TOO_MANY_PAGES": ErrorEntry(
        422, "PDF 页数超过上限，请拆分后上传", "The PDF has more pages than allowed; split it and upload the parts"
    ),
    "DOCUMENT_ACTIVE_CONTENT": ErrorEntry(
        422,
        "PDF 含有脚本、自动动作、附件或表单等活动内容，请打印为普通 PDF 后上传，详见 params.reason",
        "The PDF carries active content (scripts, actions, attached files or forms); print it to a plain PDF and upload it; see params.reason",
    ),
    "DOCUMENT_TOO_LARGE": ErrorEntry(
        413, "PDF 文件过大，请压缩或拆分后上传", "The PDF file is too large; compress or split it and upload again"
    ),
    "AUTH_REQUIRED": ErrorEntry(401, "需要有效的登录凭证", "A valid access token is required"),
    "AUTH_INVALID_CREDENTIALS": ErrorEntry(401, "用户名或密码错误", "Wrong username or password"),
    "AUTH_REFRESH_INVALID": ErrorEntry(401, "刷新令牌无效，请重新登录", "The refresh token is invalid; sign in again"),
    "AUTH_ACCOUNT_LOCKED": ErrorEntry(
        423, "登录失败次数过多，账号已临时锁定", "Too many failed sign-ins; the account is locked for a while"
    ),
    "AUTH_ACCOUNT_DISABLED": ErrorEntry(403, "账号已停用", "This account is disabled"),
    "AUTH_SIGNIN_RATE_LIMITED": ErrorEntry(
        429,
        "登录尝试过于频繁，请在 Retry-After 所示秒数后再试",
        "Too many sign-in attempts from this address or for this username; try again after the seconds in Retry-After",
    ),
    "WRITE_RATE_LIMITED": ErrorEntry(
        429,
        "提交过于频繁，请在 Retry-After 所示秒数后再试",
        "Too many writes from this account in a short time; try again after the seconds in Retry-After",
    ),
    "PASSWORD_TOO_COMMON": ErrorEntry(
        422,
        "该密码过于常见（出现在常用或已泄露密码列表中），请换一个",
        "This password is too common (it is on a list of common or breached passwords); choose another",
    ),
    "FORBIDDEN": ErrorEntry(403, "当前角色无权执行此操作", "This role may not do this"),
    "NOT_FOUND": ErrorEntry(404, "未找到", "Not found"),
    "QR_INVALID": ErrorEntry(404, "二维码无效、已作废或不存在", "The code is invalid, revoked or unknown"),
    "SCAN_OUT_OF_SCOPE": ErrorEntry(
        403, "该二维码不在您的管辖范围内", "This code belongs to something outside your scope"
    ),
    "METHOD_NOT_ALLOWED": ErrorEntry(405, "不支持该请求方法", "This method is not allowed here"),
    "CONFLICT": ErrorEntry(409, "与已存储的数据冲突", "The request conflicts with stored data"),
    "ALREADY_EXISTS": ErrorEntry(409, "记录已存在", "A record with this key already exists"),
    "HAZARD_TRANSITION_NOT_ALLOWED": ErrorEntry(
        409, "隐患当前状态不允许此操作", "This action is not possible for the hazard in its current status"
    ),
    "HAZARD_ROLE_NOT_ALLOWED": ErrorEntry(
        403, "当前角色无权对该隐患执行此操作", "This role may not take this action on the hazard now"
    ),
    "HAZARD_GUARD_FAILED": ErrorEntry(
        422, "不满足隐患流转条件，详见 params.guard", "A condition of this hazard action is not met; see params.guard"
    ),
    "HAZARD_VERSION_STALE": ErrorEntry(
        412, "隐患已被他人更新，请刷新后再操作", "The hazard changed since you read it; reload it and decide again"
    ),
    "HAZARD_CRITERION_WRONG_INDUSTRY": ErrorEntry(
        422,
        "所引用的重大事故隐患判定标准条款不适用于该企业所属行业",
        "The cited major-hazard criterion does not apply to the enterprise's industry",
    ),
    "HAZARD_CRITERION_NOT_IN_FORCE": ErrorEntry(
        422,
        "所引用的判定标准版本在隐患发现之日未施行（尚未生效或已被替代）",
        "The cited criterion's edition was not in force on the day the hazard was found (not yet in force, or superseded)",
    ),
    "CRITERIA_EDITION_INVALID": ErrorEntry(
        422,
        "判定标准版本有误：编号、名称、施行日期或条款（序号重复、内容为空、行业未知）不成立，详见 params",
        "The criteria edition does not hold (id, title, effective date, or an item: duplicate number, empty text, unknown industry); see params",
    ),
    "CRITERIA_EDITION_EXISTS": ErrorEntry(
        409, "该判定标准版本已存在", "An edition with this id is already in the library"
    ),
    "HAZARD_INPUT_INVALID": ErrorEntry(
        422,
        "隐患信息有误：照片、扫码记录、风险点、来源或重大隐患依据不成立，详见 params",
        "A reference or value of the hazard does not hold (photo, scan, risk point, source or basis of a major hazard); see params",
    ),
    "INSPECTION_ITEM_INVALID": ErrorEntry(
        422,
        "检查结果有误：检查项不属于该风险点的排查清单、重复填写，或合格项附带了隐患，详见 params",
        "A result names an item not on this risk point's checklist, names one twice, or opens a hazard for a passed item; see params",
    ),
    "INSPECTION_TIME_INVALID": ErrorEntry(
        422,
        "检查时间有误：结束时间早于开始时间或晚于当前时间",
        "The inspection finishes before it starts, or in the future",
    ),
    "INSPECTION_SCAN_INVALID": ErrorEntry(
        422, "扫码记录无效：须为本人对该风险点二维码的扫码", "The scan must be your own scan of this risk point's code"
    ),
    "INSPECTION_SCAN_REQUIRED": ErrorEntry(
        422,
        "网格员和监管人员检查，以及企业对重大、较大风险点的检查，须先扫描风险点二维码以证明到场",
        "Inspectors and regulators, and enterprise staff at major or large risk points, scan the risk point's code first to prove they were there",
    ),
    "PRESENCE_TOO_FAR": ErrorEntry(
        422,
        "扫码位置不能证明到场：距风险点超出允许范围、未带定位、定位精度过差或风险点未登记位置，详见 params",
        "The scan does not place you at the risk point: beyond its radius, without a GPS fix, with too poor a fix, or the point has no recorded place; see params",
    ),
    "PRESENCE_SCAN_STALE": ErrorEntry(
        422,
        "扫码时间不能证明到场：早于检查开始前允许的时限，或晚于检查结束",
        "The scan was not made at this inspection: older than the policy allows before its start, or made after it",
    ),
    "BLACKLIST_ACTION_NOT_ALLOWED": ErrorEntry(
        409, "该失信名单记录当前状态不允许此操作", "This action is not possible for the listing in its current status"
    ),
    "BLACKLIST_INPUT_INVALID": ErrorEntry(
        422,
        "失信名单操作的日期或理由不成立（如未满 12 个月申请提前移出），详见 params",
        "A date or reason of the listing action does not hold (for example early removal before 12 months); see params",
    ),
    "BLACKLIST_LISTING_STALE": ErrorEntry(
        409,
        "该失信名单记录已被他人处理，请刷新后再操作",
        "The listing changed since you read it; reload it and decide again",
    ),
    "CREDIT_NOT_DECIDING_DEPARTMENT": ErrorEntry(
        403,
        "失信名单由作出处罚决定的部门决定，其他地区（含上级）监管部门不能办理",
        "Only the department that imposed the penalty acts on its listing; regulators of other regions, the city above included, cannot",
    ),
    "CREDIT_AUTHORITY_REGION_INVALID": ErrorEntry(
        422,
        "处罚决定部门所在地区须管辖该企业且在本人辖区内",
        "The deciding department's region must hold the enterprise and lie within your own region",
    ),
    "STANDARDISATION_GRADE_INVALID": ErrorEntry(
        422,
        "标准化等级信息有误：有效期或撤销日期不成立，详见 params.reason",
        "The grade's dates or revocation do not hold; see params.reason",
    ),
    "STANDARDISATION_GRADE_REVOKED": ErrorEntry(
        409, "该标准化等级已被撤销，不能重复撤销", "The grade is already revoked; a revocation is recorded once"
    ),
    "STATISTICS_ALREADY_SIGNED": ErrorEntry(
        409,
        "主要负责人已签署该统计分析，不能重复签署",
        "The principal signed these statistics already; they are signed once",
    ),
    "IF_MATCH_REQUIRED": ErrorEntry(
        428, "请在 If-Match 中提供所读取的版本号", "Send If-Match with the version you read"
    ),
    "HISTORY_CHAIN_RACED": ErrorEntry(
        409, "记录正被同时修改，请重试", "The record was changed at the same moment; try again"
    ),
    "WEBHOOK_URL_INVALID": ErrorEntry(
        422,
        "回调地址无效：须为完整的 http 或 https 地址，不含账号密码和片段",
        "The webhook URL is invalid: an absolute http or https URL without credentials or fragment",
    ),
    "WEBHOOK_REDRIVE_NOT_ALLOWED": ErrorEntry(
        409,
        "只有进入死信队列且所属回调已启用的投递可以重新投递",
        "Only a dead-lettered delivery of an enabled webhook can be sent again",
    ),
    "IDEMPOTENCY_KEY_INVALID": ErrorEntry(
        400,
        "Idempotency-Key 请求头无效：须为 1 至 255 个可打印 ASCII 字符，且只能有一个",
        "The Idempotency-Key header is invalid: send one, of 1 to 255 printable ASCII characters",
    ),
    "IDEMPOTENCY_KEY_REUSED": ErrorEntry(
        422,
        "该 Idempotency-Key 已用于另一个不同的请求，请为新操作换用新的键",
        "This Idempotency-Key was used for a different request; use a new key for a new operation",
    ),
    "IDEMPOTENCY_REQUEST_IN_FLIGHT": ErrorEntry(
        409,
        "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试",
        "A request with this Idempotency-Key is still being processed; retry shortly",
    ),
    "BODY_TOO_LARGE": ErrorEntry(413, "请求体过大", "The request body is too large"),
    "UNSUPPORTED_MEDIA_TYPE": ErrorEntry(415, "不支持的内容类型", "Unsupported content type"),
    "PUBLIC_REPORT_INPUT_INVALID": ErrorEntry(
        422,
        "举报信息有误：照片不是本设备上传的、地区不存在、位置缺经度或纬度、或时间晚于当前时间，详见 params",
        "A field of the report does not hold (a photo not uploaded by this device, an unknown region, half a location, a time in the future); see params",
    ),
    "PUBLIC_REPORT_UNROUTABLE": ErrorEntry(
        422,
        "请说明隐患所在：企业名称或统一社会信用代码、地图上的位置或所在地区",
        "Say where the hazard is: the enterprise's name or credit code, a place on the map or a region",
    ),
    "PUBLIC_REPORT_RATE_LIMITED": ErrorEntry(
        429,
        "提交过于频繁，请在 Retry-After 所示秒数后再试",
        "Too many requests from this device or network; try again after the seconds in Retry-After",
    ),
    "PUBLIC_REPORT_ACTION_NOT_ALLOWED": ErrorEntry(
        409,
        "举报当前状态不允许此操作（已立案或已不予立案）",
        "The report's status does not allow this action (already accepted or dismissed)",
    ),
    "PUBLIC_REPORT_VERSION_STALE": ErrorEntry(
        412, "举报已被他人处理，请刷新后再操作", "The report changed since you read it; reload it and decide again"
    ),
    "PUBLIC_REPORT_WORDING_REQUIRED": ErrorEntry(
        422,
        "立案须由监管人员用自己的话填写面向企业的标题和描述（不转交举报人原话），缺少的字段见 params.field",
        "Accepting needs the regulator's own enterprise-facing title and description (the reporter's words are never passed on); params.field names the missing one",
    ),
    "PUBLIC_REPORT_WORDING_COPIED": ErrorEntry(
        422,
        "面向企业的标题或描述照抄了举报人原话，可能暴露举报人身份，请改用自己的话",
        "The enterprise-facing title or description repeats the reporter's own text, which could identify them; write it in your own words",
    ),
    "POST_UNKNOWN": ErrorEntry(
        422,
        "岗位不存在：该企业的排查清单和风险点中没有这个岗位，详见 params.posts",
        "No such post: none of the enterprise's checklist items or risk points names it; see params.posts",
    ),
    "TASKS_MINE_NOT_STAFF": ErrorEntry(
        422,
        "只有企业人员有本人的排查任务（mine=true），网格员和监管人员请按企业或风险点查询",
        "Only enterprise staff have tasks of their own (mine=true); inspectors and regulators list tasks by enterprise or risk point",
    ),
    "TASKS_NO_POST": ErrorEntry(
        422,
        "您尚未担任任何岗位，没有本人的排查任务；请主要负责人或管理员为您设置岗位",
        "You hold no post, so no task is yours; ask your principal or an administrator to set your posts",
    ),
    "SYNC_BATCH_TOO_LARGE": ErrorEntry(
        413,
        "一次同步的操作过多（至多 200 个），请分批发送",
        "Too many operations in one batch (at most 200); send the queue in parts",
    ),
    "SYNC_OP_INVALID": ErrorEntry(
        422,
        "同步操作无法识别：类型未知或内容格式错误",
        "The operation cannot be read: an unknown kind or a malformed payload",
    ),
    "SYNC_OP_ID_REUSED": ErrorEntry(
        422,
        "该 opId 已用于另一个不同的操作，请为新操作换用新的 opId",
        "This opId already names a different operation; use a new opId for a new operation",
    ),
    "SYNC_OP_REFERENCE_FAILED": ErrorEntry(
        422,
        "该操作所依赖的前一操作未成功或未产生所需记录",
        "The operation it depends on was refused or made something else",
    ),
    "SYNC_OP_PENDING": ErrorEntry(
        409,
        "该操作所依赖的前一操作尚未执行，请连同前一操作一起重新发送",
        "The operation it depends on has not been applied yet; send it again together with that one",
    ),
    "SYNC_OP_RETRY_LATER": ErrorEntry(
        503,
        "服务器暂时无法执行该操作，请稍后重新发送",
        "The server could not apply this operation now; send it again later",
    ),
    "SYNC_CURSOR_INVALID": ErrorEntry(
        400, "同步游标无效，请不带游标重新同步", "The sync cursor is not valid; sync again without one"
    ),
    "RANDOM_CHECK_PLAN_INVALID": ErrorEntry(
        422,
        "双随机抽查计划不成立：抽查比例须在 0 到 1 之间且至少一类大于 0，分类须为 A–D，执法人员库须有至少两名本辖区内的监管或网格执法人员，详见 params",
        "The random-check plan does not hold: rates from 0 to 1 with one above 0, classes A–D, and at least two enabled regulators or inspectors within the region; see params",
    ),
    "RANDOM_CHECK_ACTION_NOT_ALLOWED": ErrorEntry(
        409, "抽查计划当前状态不允许此操作", "This step is not possible for the plan in its current status"
    ),
    "RANDOM_CHECK_ALREADY_DRAWN": ErrorEntry(
        409, "该抽查计划已经抽取过，每个计划只能抽取一次", "This plan was drawn already; a plan is drawn once"
    ),
    "RANDOM_CHECK_OFFICERS_TOO_FEW": ErrorEntry(
        422,
        "被抽中的企业可回避后不足两名执法人员（本网格或上次检查人员须回避），本次未抽取、种子未公开，详见 params",
        "A picked enterprise has fewer than two officers without a conflict (own grid, inspected it last time); nothing was drawn or revealed; see params",
    ),
    "RANDOM_CHECK_RESULT_INVALID": ErrorEntry(
        422,
        "抽查结果不成立：检查日期须在抽取当日及以后且不晚于今天，隐患和处罚须属于该企业，详见 params",
        "The result does not hold: the day is on or after the draw and not in the future, and hazards and penalties are the enterprise's; see params",
    ),
    "RANDOM_CHECK_RESULT_STALE": ErrorEntry(
        412, "抽查结果已被他人更新，请刷新后再提交", "The result changed since you read it; reload it and submit again"
    ),
    "RANDOM_CHECK_NOT_ASSIGNED": ErrorEntry(
        403,
        "只有被抽中的两名执法人员或该企业所在辖区的监管人员可以录入抽查结果",
        "Only the two drawn officers or a regulator of the enterprise's region record this result",
    ),
    "RATE_LIMITED": ErrorEntry(429, "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    "INTERNAL_ERROR": ErrorEntry(500, "服务器内部错误，已记录", "Internal server error; it has been logged"),
    "SERVICE_UNAVAILABLE": ErrorEntry(503, "服务暂不可用", "The service is unavailable for now"),
    "OBJECT_STORE_UNAVAILABLE": ErrorEntry(
        503,
        "照片和文件存储暂时无法访问（上传未保存任何内容），请在 Retry-After 秒后重试",
        "The photo and document store cannot be reached for now (an upload kept nothing); retry after Retry-After seconds",
    ),
    "STORAGE_UNAVAILABLE": ErrorEntry(
        503,
        "数据库暂时无法访问，请在 Retry-After 秒后用同一 Idempotency-Key 重试",
        "The database cannot be reached for now; retry after Retry-After seconds with the same Idempotency-Key",
    ),
}


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem-details body (`application/problem+json`) with our stable `code`."""

    type: Annotated[str, Meta(description="A URI naming the error: `urn:shuangfang:error:` and the code")]
    title: Annotated[
        str, Meta(description="The catalogue's text of the code, in the language `Content-Language` names")
    ]
    status: Annotated[int, Meta(description="The HTTP status of the answer")]
    detail: Annotated[str, Meta(description="What went wrong in this case, in the same language")]
    code: Annotated[
        str,
        Meta(description="The stable error code: branch on it (the catalogue at `GET /v1/errors` lists every code)"),
    ]
    params: Annotated[
        dict[str, Any], Meta(description="Values the code's text refers to (for example the field, the limit)")
    ] = {}
    errors: Annotated[
        list[dict[str, Any]] | None, Meta(description="Per-field errors of a malformed or invalid body (null: none)")
    ] = None


def problem_type(code: str) -> str:
    """The `type` URI of a code: stable, and documented in the catalogue."""
    return f"urn:shuangfang:error:{code}"


def localised_title(code: str, language: str) -> str:
    """The catalogue text of a code in `zh` or `en`."""
    entry = CATALOGUE[code]
    return entry.zh if language == "zh" else entry.en
