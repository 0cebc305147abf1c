// Words on the kiosk and staff screens, in English and Korean, and how money is written.
// Pure functions only: the pages import them, and so do the unit tests.

/** @typedef {'en' | 'ko'} Language */

/** @type {Language[]} */
export const LANGUAGES = ['en', 'ko'];

/** @type {Record<Language, string> & Record<string, string | undefined>} */
const LOCALES = { en: 'en-US', ko: 'ko-KR' };

/** @type {Record<Language, Record<string, string>>} */
export const STRINGS = {
  en: {
    'app.title': 'Unmanned Cafe',
    'app.store': 'Store: {store}',
    'lang.label': 'Language',
    'menu.title': 'Menu',
    'menu.hot': 'Hot',
    'menu.iced': 'Iced',
    'menu.loading': 'Loading the menu…',
    'menu.failed': 'The menu could not be loaded. Retrying…',
    'menu.soldOut': 'Sold out',
    'store.closed': 'This store is closed. Ordering is not available right now.',
    'cart.soldOut': 'Some drinks in your cart are sold out. Please remove them to order.',
    'order.busy': 'The cafe is very busy. Please try again in {seconds} seconds.',
    'order.busyNow': 'The cafe is very busy. Please try again shortly.',
    'cart.title': 'Your cart',
    'cart.empty': 'Your cart is empty. Tap a drink to add it.',
    'cart.add': 'One more {name}',
    'cart.remove': 'One less {name}',
    'cart.quantity': 'Quantity',
    'cart.total': 'Total',
    'cart.count': '{count} drinks',
    'cart.count1': '1 drink',
    'cart.full': 'At most {max} of one drink per order.',
    'cart.clear': 'Clear cart',
    'order.place': 'Place order',
    'order.sending': 'Sending your order…',
    'order.title': 'Your order',
    'order.number': 'Order number',
    'order.new': 'Start a new order',
    'order.failed': 'Your order could not be sent. Please try again.',
    'order.offline': 'We could not reach the cafe. Please try again.',
    'order.step.received': 'Received',
    'order.step.preparing': 'Preparing',
    'order.step.ready': 'Ready',
    'order.messages': 'Messages',
    'order.cancel': 'Cancel order',
    'order.cancelling': 'Cancelling your order…',
    'order.cancelTooLate': 'Too late to cancel: your drinks are already being made.',
    'order.cancelFailed': 'Your order could not be cancelled just now. Please try again.',
    'status.received': 'Order received',
    'status.accepted': 'Order accepted, preparing soon',
    'status.brewing': 'Preparing your drinks',
    'status.ready': 'Ready to pick up',
    'status.cancelled': 'Sorry, your order was cancelled',
    'status.help.ready': 'Please pick up your drinks at the counter.',
    'status.help.cancelled': 'Your order was cancelled and nothing was made. Please ask a member of staff if you need help.',
    'reason.out-of-cups': 'Sorry, we are out of cups',
    'reason.timed-out': 'Sorry, we could not start your order in time',
    'reason.customer-cancelled': 'Your order was cancelled as you asked',
    'board.title': 'Pickup board',
    'board.preparing': 'Preparing',
    'board.ready': 'Ready',
    'board.none': 'None',
    'board.yours': 'your order',
    'staff.title': 'Unmanned Cafe staff',
    'staff.kiosk': 'Customer screen',
    'staff.stock': 'Cups per store',
    'staff.store': 'Store',
    'staff.cups': 'Cups',
    'staff.updated': 'Updated',
    'staff.state': 'State',
    'staff.ok': 'OK',
    'staff.low': 'Low stock',
    'staff.notSet': 'never set',
    'staff.noStores': 'No store has stock yet.',
    'staff.lowWarning': 'Low stock: {stores}. Restock soon (each store warns at its own level).',
    'staff.set.title': 'Set the number of cups',
    'staff.set.submit': 'Set cups',
    'staff.restock.title': 'Restock (add cups)',
    'staff.restock.submit': 'Add cups',
    'staff.set.done': '{store} now has {cups} cups.',
    'staff.restock.done': 'Added {added}: {store} now has {cups} cups.',
    'staff.orders': 'Recent orders at {store}',
    'staff.orders.none': 'No orders yet.',
    'staff.orders.time': 'Time',
    'staff.orders.number': 'Order',
    'staff.orders.items': 'Items',
    'staff.orders.status': 'Status',
    'staff.orders.reason': 'Reason',
    'staff.orders.cancelled': '{count} cancelled',
    'staff.sales.title': 'Sales at {store}',
    'staff.sales.date': 'Day',
    'staff.sales.zone': 'Local day in {zone}',
    'staff.sales.placed': 'Orders placed',
    'staff.sales.completed': 'Completed',
    'staff.sales.cancelled': 'Cancelled',
    'staff.sales.revenue': 'Revenue',
    'staff.sales.drinks': 'Drinks sold',
    'staff.sales.drink': 'Drink',
    'staff.sales.count': 'Sold',
    'staff.sales.chart': 'Drinks sold on {date}: {summary}',
    'staff.sales.none': 'No drinks sold on {date}.',
    'staff.sales.failed': 'Sales could not be loaded: {detail}',
    'staff.refreshed': 'Updated {time}',
    'staff.offline': 'Could not reach the cafe; retrying.',
    'staff.status.pending': 'Pending',
    'staff.status.accepted': 'Accepted',
    'staff.status.brewing': 'Brewing',
    'staff.status.completed': 'Completed',
    'staff.status.cancelled': 'Cancelled',
    'staff.reason.out-of-cups': 'Out of cups',
    'staff.reason.timed-out': 'Timed out',
    'staff.reason.customer-cancelled': 'Cancelled by customer',
    'staff.invalidStore': 'A store id is 1 to 40 characters of a-z, 0-9 and -.',
    'staff.invalidCups': 'Enter a whole number from {min} to {max}.',
    'staff.failed': 'Not saved: {detail}',
    'staff.signin.title': 'Sign in',
    'staff.signin.role': 'Role',
    'staff.signin.staff': 'Staff',
    'staff.signin.operator': 'Operator',
    'staff.signin.stores': 'Stores you serve (comma-separated)',
    'staff.signin.token': 'Access token',
    'staff.signin.submit': 'Sign in',
    'staff.signin.as': 'Signed in as {name}',
    'staff.signin.off': 'Sign-in is off on this server (AUTH_MODE=off): nothing is protected.',
    'staff.signout': 'Sign out',
    'staff.signin.needed': 'Sign in to see and change stock (401: {detail})',
    'staff.signin.failed': 'Sign-in failed: {detail}',
    'staff.forbidden': 'Not allowed (403): {detail}',
    'staff.settings.title': 'Settings of {store}',
    'staff.settings.hint': 'Leave a number empty for no limit (or the app’s default).',
    'staff.settings.ordering': 'Ordering',
    'staff.settings.open': 'Open',
    'staff.settings.closed': 'Closed',
    'staff.settings.machines': 'Drink machines',
    'staff.settings.maxOrdersInFlight': 'Most orders in progress',
    'staff.settings.maxOpenOrdersPerCustomer': 'Most open orders per customer',
    'staff.settings.lowStockCups': 'Low stock at (cups)',
    'staff.settings.timeZone': 'Time zone',
    'staff.settings.soldOut': 'Sold out',
    'staff.settings.brewSeconds': 'Brewing time per drink (seconds)',
    'staff.settings.brewOf': '{name} (seconds)',
    'staff.settings.submit': 'Save settings',
    'staff.settings.saved': 'Saved: {fields}.',
    'staff.settings.unchanged': 'Nothing changed.',
    'staff.settings.invalidNumber': 'Enter a number from {min} to {max}, or leave it empty.',
  },
  ko: {
    'app.title': '무인 카페',
    'app.store': '매장: {store}',
    'lang.label': '언어',
    'menu.title': '메뉴',
    'menu.hot': 'HOT',
    'menu.iced': 'ICED',
    'menu.loading': '메뉴를 불러오는 중…',
    'menu.failed': '메뉴를 불러오지 못했습니다. 다시 시도하는 중…',
    'menu.soldOut': '품절',
    'store.closed': '지금은 영업 시간이 아닙니다. 주문할 수 없습니다.',
    'cart.soldOut': '장바구니에 품절된 음료가 있습니다. 빼고 주문해 주세요.',
    'order.busy': '지금 주문이 많습니다. {seconds}초 후에 다시 시도해 주세요.',
    'order.busyNow': '지금 주문이 많습니다. 잠시 후 다시 시도해 주세요.',
    'cart.title': '장바구니',
    'cart.empty': '장바구니가 비어 있습니다. 음료를 눌러 담으세요.',
    'cart.add': '{name} 하나 더',
    'cart.remove': '{name} 하나 빼기',
    'cart.quantity': '수량',
    'cart.total': '합계',
    'cart.count': '음료 {count}잔',
    'cart.count1': '음료 1잔',
    'cart.full': '한 음료는 한 번에 {max}잔까지 주문할 수 있습니다.',
    'cart.clear': '비우기',
    'order.place': '주문하기',
    'order.sending': '주문을 보내는 중…',
    'order.title': '주문 현황',
    'order.number': '주문 번호',
    'order.new': '새로 주문하기',
    'order.failed': '주문을 보내지 못했습니다. 다시 시도해 주세요.',
    'order.offline': '카페에 연결할 수 없습니다. 다시 시도해 주세요.',
    'order.step.received': '접수',
    'order.step.preparing': '준비 중',
    'order.step.ready': '완료',
    'order.messages': '알림',
    'order.cancel': '주문 취소',
    'order.cancelling': '주문을 취소하는 중…',
    'order.cancelTooLate': '이미 음료를 만들고 있어 취소할 수 없습니다.',
    'order.cancelFailed': '지금은 주문을 취소하지 못했습니다. 다시 시도해 주세요.',
    'status.received': '주문이 접수되었습니다',
    'status.accepted': '주문이 확인되었습니다. 곧 준비합니다',
    'status.brewing': '음료를 준비하고 있습니다',
    'status.ready': '음료가 준비되었습니다',
    'status.cancelled': '죄송합니다. 주문이 취소되었습니다',
    'status.help.ready': '픽업대에서 음료를 받아 가세요.',
    'status.help.cancelled': '주문이 취소되어 음료는 만들어지지 않았습니다. 도움이 필요하면 직원에게 문의해 주세요.',
    'reason.out-of-cups': '죄송합니다. 컵 재고가 부족합니다',
    'reason.timed-out': '죄송합니다. 주문을 제시간에 시작하지 못했습니다',
    'reason.customer-cancelled': '요청하신 대로 주문이 취소되었습니다',
    'board.title': '픽업 현황',
    'board.preparing': '준비 중',
    'board.ready': '픽업 대기',
    'board.none': '없음',
    'board.yours': '내 주문',
    'staff.title': '무인 카페 직원용',
    'staff.kiosk': '고객 화면',
    'staff.stock': '매장별 컵 재고',
    'staff.store': '매장',
    'staff.cups': '컵',
    'staff.updated': '변경 시각',
    'staff.state': '상태',
    'staff.ok': '정상',
    'staff.low': '재고 부족',
    'staff.notSet': '설정 안 됨',
    'staff.noStores': '재고가 설정된 매장이 없습니다.',
    'staff.lowWarning': '재고 부족: {stores}. 곧 채워 주세요 (매장마다 경고 기준이 다릅니다).',
    'staff.set.title': '컵 수량 설정',
    'staff.set.submit': '설정',
    'staff.restock.title': '입고 (컵 추가)',
    'staff.restock.submit': '추가',
    'staff.set.done': '{store}: 이제 컵 {cups}개',
    'staff.restock.done': '{added}개 추가, {store}: 이제 컵 {cups}개',
    'staff.orders': '{store} 매장의 최근 주문',
    'staff.orders.none': '주문이 없습니다.',
    'staff.orders.time': '시각',
    'staff.orders.number': '주문',
    'staff.orders.items': '품목',
    'staff.orders.status': '상태',
    'staff.orders.reason': '사유',
    'staff.orders.cancelled': '취소 {count}건',
    'staff.sales.title': '{store} 매장 매출',
    'staff.sales.date': '날짜',
    'staff.sales.zone': '{zone} 기준 하루',
    'staff.sales.placed': '주문',
    'staff.sales.completed': '완료',
    'staff.sales.cancelled': '취소',
    'staff.sales.revenue': '매출액',
    'staff.sales.drinks': '판매 음료',
    'staff.sales.drink': '음료',
    'staff.sales.count': '판매',
    'staff.sales.chart': '{date} 판매 음료: {summary}',
    'staff.sales.none': '{date}에 판매된 음료가 없습니다.',
    'staff.sales.failed': '매출을 불러오지 못했습니다: {detail}',
    'staff.refreshed': '{time} 갱신',
    'staff.offline': '카페에 연결할 수 없습니다. 다시 시도하는 중.',
    'staff.status.pending': '대기',
    'staff.status.accepted': '접수',
    'staff.status.brewing': '제조 중',
    'staff.status.completed': '완료',
    'staff.status.cancelled': '취소',
    'staff.reason.out-of-cups': '컵 부족',
    'staff.reason.timed-out': '시간 초과',
    'staff.reason.customer-cancelled': '고객 취소',
    'staff.invalidStore': '매장 ID는 영문 소문자, 숫자, - 로 1~40자입니다.',
    'staff.invalidCups': '{min}부터 {max}까지의 정수를 입력하세요.',
    'staff.failed': '저장하지 못했습니다: {detail}',
    'staff.signin.title': '로그인',
    'staff.signin.role': '역할',
    'staff.signin.staff': '직원',
    'staff.signin.operator': '운영자',
    'staff.signin.stores': '담당 매장 (쉼표로 구분)',
    'staff.signin.token': '액세스 토큰',
    'staff.signin.submit': '로그인',
    'staff.signin.as': '{name}(으)로 로그인됨',
    'staff.signin.off': '이 서버는 로그인이 꺼져 있습니다 (AUTH_MODE=off): 아무것도 보호되지 않습니다.',
    'staff.signout': '로그아웃',
    'staff.signin.needed': '재고를 보고 바꾸려면 로그인하세요 (401: {detail})',
    'staff.signin.failed': '로그인하지 못했습니다: {detail}',
    'staff.forbidden': '권한이 없습니다 (403): {detail}',
    'staff.settings.title': '{store} 매장 설정',
    'staff.settings.hint': '숫자를 비워 두면 제한이 없습니다 (또는 기본값).',
    'staff.settings.ordering': '주문 받기',
    'staff.settings.open': '영업 중',
    'staff.settings.closed': '영업 종료',
    'staff.settings.machines': '음료 기계 수',
    'staff.settings.maxOrdersInFlight': '동시에 진행할 최대 주문 수',
    'staff.settings.maxOpenOrdersPerCustomer': '고객당 최대 진행 주문 수',
    'staff.settings.lowStockCups': '재고 부족 기준 (컵)',
    'staff.settings.timeZone': '시간대',
    'staff.settings.soldOut': '품절',
    'staff.settings.brewSeconds': '음료별 제조 시간 (초)',
    'staff.settings.brewOf': '{name} (초)',
    'staff.settings.submit': '설정 저장',
    'staff.settings.saved': '저장됨: {fields}',
    'staff.settings.unchanged': '바뀐 것이 없습니다.',
    'staff.settings.invalidNumber': '{min}부터 {max}까지의 숫자를 입력하거나 비워 두세요.',
  },
};

/**
 * `en` or `ko`, or undefined for anything else (`ko-KR` counts as `ko`).
 * @param {unknown} value
 * @returns {Language | undefined}
 */
export function normalizeLanguage(value) {
  if (typeof value !== 'string') return undefined;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((lang) => lang === base);
}

/**
 * The language a screen starts in: `?lang=` when it names one we have, else the first of the browser's
 * languages that we have, else English.
 * @param {string | undefined} search
 * @param {readonly string[] | undefined} browserLanguages
 * @returns {Language}
 */
export function chooseLanguage(search, browserLanguages) {
  const requested = new URLSearchParams(search ?? '').get('lang');
  const fromUrl = normalizeLanguage(requested);
  if (fromUrl) return fromUrl;
  for (const candidate of browserLanguages ?? []) {
    const lang = normalizeLanguage(candidate);
    if (lang) return lang;
  }
  return 'en';
}

/**
 * The text for `key`, with `{name}` placeholders filled; English when Korean lacks it; the key itself as a last resort.
 * @param {Language} lang
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(lang, key, params = {}) {
  const text = STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (/** @type {string} */ whole, /** @type {string} */ name) => (name in params ? String(params[name]) : whole));
}

/**
 * @param {string} lang
 * @returns {string}
 */
export function localeOf(lang) {
  return LOCALES[lang] ?? LOCALES.en;
}

/** @type {Map<string, Intl.NumberFormat>} */
const numberFormats = new Map();

/**
 * @param {string} locale
 * @param {Intl.NumberFormatOptions} options
 */
function numberFormat(locale, options) {
  const key = `${locale} ${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

/**
 * A price in won for the language, whole won only: `₩4,500` in English (the currency sign), `4,500원` in
 * Korean (the number with ko-KR grouping, then 원, as Korean cafe menus write it).
 * @param {number} amount
 * @param {Language} lang
 * @returns {string}
 */
export function formatWon(amount, lang) {
  if (lang === 'ko') return `${numberFormat(localeOf('ko'), { maximumFractionDigits: 0 }).format(amount)}원`;
  return numberFormat(localeOf(lang), { style: 'currency', currency: 'KRW', maximumFractionDigits: 0 }).format(amount);
}

/**
 * A menu item's name in the language (Korean falls back to the English name when a Korean one is missing).
 * @param {{ name: string, nameKo?: string } | undefined} item
 * @param {Language} lang
 * @returns {string}
 */
export function drinkName(item, lang) {
  if (!item) return '';
  return lang === 'ko' && item.nameKo ? item.nameKo : item.name;
}

/**
 * A time of day for the language, e.g. `1:05:09 PM` / `오후 1:05:09`; empty for no time or an invalid one.
 * @param {string | undefined} iso
 * @param {Language} lang
 * @returns {string}
 */
export function formatTime(iso, lang) {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString(localeOf(lang), { hour: 'numeric', minute: '2-digit', second: '2-digit' });
}
