import type { OrderCancelled, OrderCompleted } from '../../shared/events';
import { pickupCode } from '../../shared/identifiers';

export const NOTIFICATION_KINDS = ['order-cancelled', 'order-completed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const REASONS: Record<string, { en: string; ko: string }> = {
  'out-of-cups': { en: 'we are out of cups', ko: '컵 재고가 부족합니다' },
  'timed-out': { en: 'we could not start it in time', ko: '제시간에 음료 제조를 시작하지 못했습니다' },
  'customer-cancelled': { en: 'you asked us to cancel it', ko: '고객님의 요청에 따라 취소했습니다' },
};

export const shortOrderNumber = pickupCode;

/** The words the customer reads, in English and Korean. */
export function notificationFor(event: OrderCancelled | OrderCompleted): { kind: NotificationKind; message: string; messageKo: string } {
  const number = shortOrderNumber(event.orderId);
  if (event.type === 'OrderCompleted' && event.lateCancel) {
    // The one notification of a completed order also answers the cancel that lost the race.
    return {
      kind: 'order-completed',
      message: `Sorry, your cancel came too late: your order ${number} was already being made. It is ready; please pick it up at the counter.`,
      messageKo: `죄송합니다. 취소 요청이 늦어 ${number}번 음료는 이미 만들어지고 있었습니다. 음료가 준비되었으니 픽업대에서 받아 가세요.`,
    };
  }
  if (event.type === 'OrderCompleted') {
    return {
      kind: 'order-completed',
      message: `Your order ${number} is ready. Please pick it up at the counter.`,
      messageKo: `주문하신 ${number}번 음료가 준비되었습니다. 픽업대에서 받아 가세요.`,
    };
  }
  const reason = REASONS[event.reason] ?? { en: event.reason, ko: event.reason };
  return {
    kind: 'order-cancelled',
    message: `Sorry, your order ${number} was cancelled: ${reason.en}.`,
    messageKo: `죄송합니다. ${number}번 주문이 취소되었습니다: ${reason.ko}.`,
  };
}
