/*
 * epoll instances over eventfd files, without a task: an item's readiness
 * follows its file, items are keyed by (file, fd), an item goes with its
 * file's last reference, nested instances and their loop check.  (Edge
 * and one-shot items need a waiting task: tests/guest/fd_epoll.c.)
 */
#include "unit.h"
#include "emu/fs/file.h"
#include "emu/fs/eventfd.h"
#include "emu/fs/eventpoll.h"
#include "abi/linux/eventpoll.h"
#include "abi/linux/errno.h"
#include "abi/linux/poll.h"

static struct file *ep, *efd;

static int setup(void) { return 0; }
static int teardown(void) { return 0; }

static void open_both(void)
{
	ep = eventpoll_file_alloc();
	efd = eventfd_file_alloc(0, false, true);
}

static unsigned ep_ready(void)
{
	return ep->f_op->poll(ep, NULL);
}

static void efd_write(u64 v)
{
	CU_ASSERT_EQUAL(efd->f_op->write(efd, &v, sizeof(v)), 8);
}

static void efd_read(void)
{
	u64 v;

	CU_ASSERT_EQUAL(efd->f_op->read(efd, &v, sizeof(v)), 8);
}

static void test_level_item_ready_while_counter_set(void)
{
	open_both();
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 3, LINUX_EPOLLIN, 7), 0);
	CU_ASSERT_EQUAL(ep_ready(), 0);
	efd_write(1);
	CU_ASSERT_EQUAL(ep_ready(), LINUX_POLLIN | LINUX_POLLRDNORM);
	efd_read();
	CU_ASSERT_EQUAL(ep_ready(), 0);
	fput(efd);
	fput(ep);
}

static void test_ctl_errors_on_items(void)
{
	open_both();
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_MOD, efd, 3, LINUX_EPOLLIN, 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 3, LINUX_EPOLLIN, 0), 0);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 3, LINUX_EPOLLIN, 0), -LINUX_EEXIST);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 4, LINUX_EPOLLIN, 0), 0);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_DEL, efd, 3, 0, 0), 0);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_DEL, efd, 3, 0, 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(ep_ctl(ep, 99, efd, 4, 0, 0), -LINUX_EINVAL);
	fput(efd);
	fput(ep);
}

static void test_item_goes_with_last_reference(void)
{
	struct file *dup;

	open_both();
	dup = get_file(efd);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 3, LINUX_EPOLLIN, 0), 0);
	CU_ASSERT_PTR_NOT_NULL(efd->f_ep);
	fput(efd); /* one fd closed: the file lives on */
	efd_write(1);
	CU_ASSERT_NOT_EQUAL(ep_ready(), 0);
	CU_ASSERT_PTR_NOT_NULL(dup->f_ep);
	fput(dup); /* the last: the item goes, the instance has nothing ready */
	CU_ASSERT_EQUAL(ep_ready(), 0);
	fput(ep);
}

static void test_nested_instance_reports_inner_readiness(void)
{
	struct file *outer = eventpoll_file_alloc();

	open_both();
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, efd, 3, LINUX_EPOLLIN, 0), 0);
	CU_ASSERT_EQUAL(ep_ctl(outer, LINUX_EPOLL_CTL_ADD, ep, 5, LINUX_EPOLLIN, 0), 0);
	CU_ASSERT_EQUAL(ep_ctl(ep, LINUX_EPOLL_CTL_ADD, outer, 6, LINUX_EPOLLIN, 0), -LINUX_ELOOP);
	CU_ASSERT_EQUAL(outer->f_op->poll(outer, NULL), 0);
	efd_write(1);
	CU_ASSERT_NOT_EQUAL(outer->f_op->poll(outer, NULL), 0);
	fput(ep); /* the inner instance goes first: its item in outer with it */
	CU_ASSERT_EQUAL(outer->f_op->poll(outer, NULL), 0);
	fput(outer);
	fput(efd);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "level_item_ready_while_counter_set", test_level_item_ready_while_counter_set },
		{ "ctl_errors_on_items", test_ctl_errors_on_items },
		{ "item_goes_with_last_reference", test_item_goes_with_last_reference },
		{ "nested_instance_reports_inner_readiness",
		  test_nested_instance_reports_inner_readiness },
	};
	return RUN_UNIT_TESTS("eventpoll", setup, teardown, tests);
}
