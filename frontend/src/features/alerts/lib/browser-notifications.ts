/**
 * Opt-in browser notifications (the Notification API), remembered per user in this
 * browser's localStorage: each person decides for themselves, on each device.
 */
const key = (userId: number) => `evodash.alerts.notify.${String(userId)}`;

export type NotifyPermission = NotificationPermission | 'unsupported';

export function notificationSupport(): NotifyPermission {
  return typeof window !== 'undefined' && 'Notification' in window
    ? window.Notification.permission
    : 'unsupported';
}

export function notificationsWanted(userId: number): boolean {
  try {
    return window.localStorage.getItem(key(userId)) === '1';
  } catch {
    return false;
  }
}

export function setNotificationsWanted(userId: number, wanted: boolean): void {
  try {
    if (wanted) window.localStorage.setItem(key(userId), '1');
    else window.localStorage.removeItem(key(userId));
  } catch {
    // Storage disabled (private mode): the choice lasts for this page only.
  }
}

/** Asks the browser (once per site) and remembers the person's choice. */
export async function enableNotifications(userId: number): Promise<NotifyPermission> {
  if (notificationSupport() === 'unsupported') return 'unsupported';
  const permission = await window.Notification.requestPermission();
  setNotificationsWanted(userId, permission === 'granted');
  return permission;
}

/** Shows a system notification when this user opted in and the browser allows it. */
export function notify(userId: number, title: string, body: string, tag: string): void {
  if (notificationSupport() !== 'granted' || !notificationsWanted(userId)) return;
  try {
    new window.Notification(title, { body, tag });
  } catch {
    // Some browsers only allow notifications from a service worker: the toast remains.
  }
}
