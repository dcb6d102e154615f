// lectern — paying for a course with Razorpay Checkout in the page, then
// verifying the signed answer with the API (SPEC §5).

import * as api from '../api.js';

let config = null;
let loading = null;

// The page's public settings (/config.json): Checkout's script URL.
export async function siteConfig() {
	if (!config) {
		const r = await fetch('/config.json', { credentials: 'same-origin' });
		config = r.ok ? await r.json() : {};
	}
	return config;
}

// Load Checkout's script once (its origin is in the CSP).
async function loadCheckout() {
	if (window.Razorpay)
		return window.Razorpay;
	if (!loading) {
		const cfg = await siteConfig();
		loading = new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = cfg.razorpay_checkout || 'https://checkout.razorpay.com/v1/checkout.js';
			s.onload = () => resolve(window.Razorpay);
			s.onerror = () => {
				loading = null;
				s.remove();
				reject(new Error('The payment window could not be loaded. Check your connection and try again.'));
			};
			document.head.append(s);
		});
	}
	return loading;
}

// Pay for course: create the order, let Checkout take the payment, and
// verify its signature.  Resolves with {payment, enrollment}; rejects
// when the payment fails, is dismissed or does not verify.
export async function pay(course) {
	const [order, Razorpay] = await Promise.all([
		api.post('/api/payments/create-order', { course_id: course.id }),
		loadCheckout(),
	]);
	const user = api.currentUser() || {};
	const answer = await new Promise((resolve, reject) => {
		const rzp = new Razorpay({
			key: order.key_id,
			amount: order.amount,
			currency: order.currency,
			order_id: order.order_id,
			name: 'lectern',
			description: course.title,
			prefill: { name: user.name, email: user.email },
			handler: resolve,
			modal: { ondismiss: () => reject(new Error('The payment was cancelled.')) },
		});
		if (rzp.on)
			rzp.on('payment.failed', (r) => reject(new Error(
			    (r && r.error && r.error.description) || 'The payment failed.')));
		rzp.open();
	});
	return api.post('/api/payments/verify', {
		razorpay_order_id: answer.razorpay_order_id,
		razorpay_payment_id: answer.razorpay_payment_id,
		razorpay_signature: answer.razorpay_signature,
	});
}
